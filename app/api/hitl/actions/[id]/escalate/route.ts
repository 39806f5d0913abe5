// POST /api/hitl/actions/{id}/escalate — escalate a request with a reviewer key
import { decisionRoute } from "@/lib/api/decision-route";
import { otherMethods } from "@/lib/api/fallback";

export const dynamic = "force-dynamic";

export const POST = decisionRoute("escalate");

export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(["POST"]);
