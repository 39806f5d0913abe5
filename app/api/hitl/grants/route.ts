// POST /api/hitl/grants — grant a standing approval within the reviewer's own rights
// GET  /api/hitl/grants — standing approvals (?active=true for the ones in force)

import { z } from "zod";
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { createGrantSchema, grantSchema } from "@/lib/contract/grants";
import { createStandingApproval, listStandingApprovals } from "@/lib/services/grants/grants";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/hitl/grants",
  auth: "reviewer",
  body: "json",
  doc: {
    summary: "Grant a standing approval",
    body: createGrantSchema,
    ok: { status: 201, schema: grantSchema },
    errors: [400, 401, 403, 422],
  },
  async handler({ db, principal, body }) {
    return { status: 201, body: await createStandingApproval(db, principal, body) };
  },
});

export const GET = apiRoute({
  name: "GET /api/hitl/grants",
  auth: "reviewer",
  query: z.strictObject({ active: z.enum(["true", "false"]).default("false") }),
  doc: {
    summary: "List standing approvals",
    query: z.object({ active: z.enum(["true", "false"]).optional() }),
    ok: { status: 200, schema: z.object({ items: z.array(grantSchema) }) },
    errors: [401, 403],
  },
  async handler({ db, principal, query }) {
    const items = await listStandingApprovals(db, principal, {
      activeOnly: query.active === "true",
    });
    return { body: { items } };
  },
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
