// GET /api/tasks/{id}/events — server-sent events of the task's status changes
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { RECHECK_MS, subscribeToTask } from "@/lib/services/changes";
import { getTask } from "@/lib/services/tasks";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;
const CLOSED = new Set(["approved", "rejected", "expired", "cancelled"]);

export const GET = apiRoute({
  name: "GET /api/tasks/{id}/events",
  auth: "key",
  params: idParamsSchema,
  async handler({ req, db, principal, params }) {
    // Unknown or foreign tasks answer 404 before the stream starts.
    const first = await getTask(db, principal, params.id);
    const encoder = new TextEncoder();
    // The stream ends when the status closes, the client aborts the request or the reader
    // cancels the body: in any order, any number of them, even while start() is subscribing.
    // One flag for all of them, so cleanup runs once and nothing is written after it — a
    // closed controller throws, and from an abort listener or a timer that crashes the process.
    let closed = false;
    let cleanup = () => {};
    const finish = (): boolean => {
      if (closed) return false;
      closed = true;
      cleanup();
      return true;
    };

    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const close = () => {
          if (!finish()) return;
          try {
            controller.close();
          } catch {
            // Already closed from the reader's side: nothing left to end.
          }
        };
        const write = (text: string) => {
          if (closed) return;
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            finish();
          }
        };
        let last = "";
        const send = (task: typeof first) => {
          if (task.status === last) return;
          last = task.status;
          write(`event: status\ndata: ${JSON.stringify(task)}\n\n`);
          if (CLOSED.has(task.status)) close();
        };
        // Serialised re-reads: a burst of notifications becomes one read after another.
        let sending = Promise.resolve();
        const refresh = () => {
          sending = sending
            .then(async () => {
              if (!closed) send(await getTask(db, principal, params.id));
            })
            .catch(() => {});
        };
        // An aborted signal never fires "abort" again: a request gone already ends here.
        if (req.signal.aborted) return close();
        req.signal.addEventListener("abort", close, { once: true });
        const unsubscribe = await subscribeToTask(params.id, refresh);
        const recheck = setInterval(refresh, RECHECK_MS);
        const heartbeat = setInterval(() => write(": keep-alive\n\n"), HEARTBEAT_MS);
        cleanup = () => {
          unsubscribe();
          clearInterval(recheck);
          clearInterval(heartbeat);
          req.signal.removeEventListener("abort", close);
        };
        // Left while subscribing: release what was just set up.
        if (closed) return cleanup();
        send(first);
        refresh();
      },
      cancel() {
        finish();
      },
    });
    return new Response(stream, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store, no-transform",
        Connection: "keep-alive",
        "X-Accel-Buffering": "no",
      },
    });
  },
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
