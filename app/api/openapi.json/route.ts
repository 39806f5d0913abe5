// GET /api/openapi.json — OpenAPI 3.1, generated from the routes' zod schemas
import { otherMethods } from "@/lib/api/fallback";
import { openApiDocument } from "@/lib/api/openapi";
import { API_ROUTES } from "../routes";

export const dynamic = "force-dynamic";

// The document is fixed for the life of the process: serialise it once.
let body: string | undefined;

export async function GET() {
  body ??= JSON.stringify(openApiDocument(API_ROUTES));
  return new Response(body, {
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
