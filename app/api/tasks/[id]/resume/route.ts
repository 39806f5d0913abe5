// POST /api/tasks/{id}/resume — resume the task's graph after its decision and answer with what
// it returned (it runs once; a second call answers the same)
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { resumeResponseSchema } from "@/lib/contract/tasks";
import { processWorkflows, sharedDrive } from "@/lib/jobs/workflow";
import { resumeTask } from "@/lib/services/requests/tasks";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/tasks/{id}/resume",
  auth: "agent",
  params: idParamsSchema,
  doc: {
    summary: "Resume after the decision (once; again answers the same)",
    ok: { status: 200, schema: resumeResponseSchema },
    errors: [401, 403, 404, 409, 410],
  },
  async handler({ db, principal, params }) {
    return {
      body: resumeResponseSchema.parse(
        await resumeTask(db, principal, params.id, sharedDrive(await processWorkflows())),
      ),
    };
  },
});

export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(["POST"]);
