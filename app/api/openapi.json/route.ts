// GET /api/openapi.json — OpenAPI 3.1, generated from the routes' zod schemas
import { otherMethods } from "@/lib/api/fallback";
import { openApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-dynamic";

export async function GET() {
  return Response.json(openApiDocument(), { headers: { "Cache-Control": "no-store" } });
}

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
