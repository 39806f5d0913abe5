// DELETE /api/hitl/grants/{id} — revoke a standing approval

import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { grantSchema } from "@/lib/contract/grants";
import { revokeStandingApproval } from "@/lib/services/grants/grants";

export const dynamic = "force-dynamic";

export const DELETE = apiRoute({
  name: "DELETE /api/hitl/grants/{id}",
  auth: "reviewer",
  params: idParamsSchema,
  doc: {
    summary: "Revoke a standing approval",
    ok: { status: 200, schema: grantSchema },
    errors: [401, 403, 404, 409],
  },
  async handler({ db, principal, params }) {
    return { body: await revokeStandingApproval(db, principal, params.id) };
  },
});

export const { GET, POST, PUT, PATCH, HEAD, OPTIONS } = otherMethods(["DELETE"]);
