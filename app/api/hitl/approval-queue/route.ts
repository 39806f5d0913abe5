// GET /api/hitl/approval-queue — open requests, newest risk first, each saying whether this
// reviewer may approve it (and why not); ?actionable=true for only those they may
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { queueQuerySchema, queueResponseSchema } from "@/lib/contract/api";
import { getQueue } from "@/lib/services/requests/queue";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "GET /api/hitl/approval-queue",
  auth: "reviewer",
  query: queueQuerySchema,
  doc: {
    summary:
      "Open requests, newest risk first, each saying whether this reviewer may approve it (actionable=true: only those); signed keyset cursors",
    ok: { status: 200, schema: queueResponseSchema },
    errors: [400, 401, 403],
  },
  async handler({ db, principal, query }) {
    // The role is the user's now (read by the service), not when the key was made.
    return { body: queueResponseSchema.parse(await getQueue(db, principal, query)) };
  },
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
