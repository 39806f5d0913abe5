// GET /api/tasks/{id}/events — server-sent events of the task's status changes
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { eventStream } from "@/lib/api/sse";
import { idParamsSchema } from "@/lib/contract/api";
import { RECHECK_MS, subscribeToTask } from "@/lib/services/requests/changes";
import { getTask } from "@/lib/services/requests/tasks";

export const dynamic = "force-dynamic";

const CLOSED = new Set(["approved", "rejected", "expired", "cancelled"]);

export const GET = apiRoute({
  name: "GET /api/tasks/{id}/events",
  auth: "key",
  params: idParamsSchema,
  doc: {
    summary: "Server-sent events of the task's status changes",
    ok: {
      status: 200,
      description:
        "`event: status` with the task as data, until the request closes (or the key is revoked)",
      contentType: "text/event-stream",
    },
    errors: [400, 401, 404, 429],
  },
  async handler({ req, db, principal, params, holdStream }) {
    // Unknown or foreign tasks answer 404, and a key with all its streams open 429, before the
    // stream starts.
    const first = await getTask(db, principal, params.id);
    return eventStream(req, holdStream(), async (sink) => {
      let last = "";
      const send = (task: typeof first) => {
        if (task.status === last) return;
        last = task.status;
        sink.event("status", task);
        if (CLOSED.has(task.status)) sink.close();
      };
      // Serialised re-reads: a burst of notifications becomes one read after another.
      let sending = Promise.resolve();
      const refresh = () => {
        sending = sending
          .then(async () => {
            if (!sink.closed) send(await getTask(db, principal, params.id));
          })
          .catch(() => {});
      };
      const unsubscribe = await subscribeToTask(params.id, refresh);
      const recheck = setInterval(refresh, RECHECK_MS);
      // A status that is already closed ends the stream here; eventStream then releases
      // what this set up as soon as it is returned.
      send(first);
      refresh();
      return () => {
        unsubscribe();
        clearInterval(recheck);
      };
    });
  },
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
