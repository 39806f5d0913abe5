// POST /api/hitl/actions/{id}/release — release a request with a reviewer key
import { decisionRoute } from "@/lib/api/decision-route";
import { otherMethods } from "@/lib/api/fallback";

export const dynamic = "force-dynamic";

export const POST = decisionRoute("release");

export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(["POST"]);
