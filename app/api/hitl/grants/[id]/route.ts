// DELETE /api/hitl/grants/{id} — revoke a standing approval
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { revokeStandingApproval } from "@/lib/services/grants/grants";

export const dynamic = "force-dynamic";

export const DELETE = apiRoute({
  name: "DELETE /api/hitl/grants/{id}",
  auth: "reviewer",
  params: idParamsSchema,
  async handler({ db, principal, params }) {
    return { body: await revokeStandingApproval(db, principal, params.id) };
  },
});

export const { GET, POST, PUT, PATCH, HEAD, OPTIONS } = otherMethods(["DELETE"]);
