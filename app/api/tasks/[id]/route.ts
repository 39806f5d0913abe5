// GET /api/tasks/{id} — the task and its request; ?wait=N holds until the status changes

import { z } from "zod";
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { taskSchema } from "@/lib/contract/tasks";
import { waitForStatusChange } from "@/lib/services/requests/changes";
import { getTask } from "@/lib/services/requests/tasks";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "GET /api/tasks/{id}",
  auth: "key",
  params: idParamsSchema,
  query: z.strictObject({ wait: z.coerce.number().int().min(0).max(60).default(0) }),
  doc: {
    summary: "The task and its request; ?wait=N (≤ 60) holds until the status changes",
    query: z.object({ wait: z.int().min(0).max(60).optional() }),
    ok: { status: 200, schema: taskSchema },
    errors: [400, 401, 404, 429],
  },
  async handler({ req, db, principal, params, query, holdStream }) {
    let task = await getTask(db, principal, params.id);
    if (query.wait > 0) {
      // A wait counts against the key's open streams, and ends early (401, 403) if the key
      // is revoked or its person disabled meanwhile.
      const hold = holdStream();
      try {
        const signal = AbortSignal.any([req.signal, hold.signal]);
        await waitForStatusChange(params.id, task.status, query.wait * 1000, signal);
        hold.signal.throwIfAborted();
        task = await getTask(db, principal, params.id);
      } finally {
        hold.release();
      }
    }
    return { body: task };
  },
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
