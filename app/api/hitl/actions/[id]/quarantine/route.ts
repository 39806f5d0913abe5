// POST /api/hitl/actions/{id}/quarantine — quarantine a request with a reviewer key
import { decisionRoute } from "@/lib/api/decision-route";
import { otherMethods } from "@/lib/api/fallback";

export const dynamic = "force-dynamic";

export const POST = decisionRoute("quarantine");

export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(["POST"]);
