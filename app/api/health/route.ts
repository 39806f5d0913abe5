// GET /api/health — liveness and database reachability
import { otherMethods } from "@/lib/api/fallback";
import { checkHealth } from "@/lib/services/insights/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const health = await checkHealth();
  return Response.json(health, {
    status: health.status === "ok" ? 200 : 503,
    headers: {
      "Cache-Control": "no-store",
      ...(health.status === "ok" ? {} : { "Retry-After": "5" }),
    },
  });
}

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
