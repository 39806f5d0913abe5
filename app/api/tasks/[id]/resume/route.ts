// POST /api/tasks/{id}/resume — resume the task after its decision (once; again answers the same)
import { agentCaller } from "@/lib/api/principals";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { resumeResponseSchema } from "@/lib/contract/tasks";
import { resumeTask } from "@/lib/services/tasks";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/tasks/{id}/resume",
  auth: "agent",
  params: idParamsSchema,
  async handler({ db, principal, params }) {
    const result = await resumeTask(db, agentCaller(principal), params.id);
    return {
      body: resumeResponseSchema.parse({ ...result, resumed_at: result.resumed_at.toISOString() }),
    };
  },
});
