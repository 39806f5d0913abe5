// GET /api/health — liveness and database reachability

import { otherMethods } from "@/lib/api/fallback";
import { documented } from "@/lib/api/route";
import { healthSchema } from "@/lib/contract/api";
import { checkHealth } from "@/lib/services/insights/health";

export const dynamic = "force-dynamic";

export const GET = documented(
  async function GET() {
    const health = await checkHealth();
    return Response.json(health, {
      status: health.status === "ok" ? 200 : 503,
      headers: {
        "Cache-Control": "no-store",
        ...(health.status === "ok" ? {} : { "Retry-After": "5" }),
      },
    });
  },
  {
    name: "GET /api/health",
    auth: "public",
    doc: {
      summary: "Liveness and database reachability",
      ok: { status: 200, schema: healthSchema },
      errors: [503],
    },
  },
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
