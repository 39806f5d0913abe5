// POST /api/hitl/actions/{id}/approve — approve a request with a reviewer key
import { decisionRoute } from "@/lib/api/decision-route";

export const dynamic = "force-dynamic";

export const POST = decisionRoute("approve");
