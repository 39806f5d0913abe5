// POST /api/hitl/actions/{id}/reject — reject a request with a reviewer key
import { decisionRoute } from "@/lib/api/decision-route";
import { otherMethods } from "@/lib/api/fallback";

export const dynamic = "force-dynamic";

export const POST = decisionRoute("reject");

export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(["POST"]);
