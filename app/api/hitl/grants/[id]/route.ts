// DELETE /api/hitl/grants/{id} — revoke a standing approval
import { grantDto } from "@/lib/api/dto";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { revokeStandingApproval } from "@/lib/services/grants";

export const dynamic = "force-dynamic";

export const DELETE = apiRoute({
  name: "DELETE /api/hitl/grants/{id}",
  auth: "reviewer",
  params: idParamsSchema,
  async handler({ db, principal, params }) {
    return { body: grantDto(await revokeStandingApproval(db, principal.userId, params.id)) };
  },
});
