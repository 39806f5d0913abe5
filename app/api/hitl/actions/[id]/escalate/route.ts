// POST /api/hitl/actions/{id}/escalate — escalate a request with a reviewer key
import { decisionRoute } from "@/lib/api/decision-route";

export const dynamic = "force-dynamic";

export const POST = decisionRoute("escalate");
