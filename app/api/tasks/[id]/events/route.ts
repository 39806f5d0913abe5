// GET /api/tasks/{id}/events — server-sent events of the task's status changes
import { taskDto } from "@/lib/api/dto";
import { taskReader } from "@/lib/api/principals";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { RECHECK_MS, subscribeToTask } from "@/lib/services/changes";
import { getTaskView } from "@/lib/services/tasks";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;
const CLOSED = new Set(["approved", "rejected", "expired", "cancelled"]);

export const GET = apiRoute({
  name: "GET /api/tasks/{id}/events",
  auth: "key",
  params: idParamsSchema,
  async handler({ req, db, principal, params }) {
    const reader = taskReader(principal);
    // Unknown or foreign tasks answer 404 before the stream starts.
    const first = await getTaskView(db, reader, params.id);
    const encoder = new TextEncoder();
    let cleanup = () => {};

    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        let last = "";
        let closed = false;
        let sending = Promise.resolve();
        const close = () => {
          if (closed) return;
          closed = true;
          cleanup();
          controller.close();
        };
        const send = (view: typeof first) => {
          const dto = taskDto(view);
          if (dto.status === last) return;
          last = dto.status;
          controller.enqueue(encoder.encode(`event: status\ndata: ${JSON.stringify(dto)}\n\n`));
          if (CLOSED.has(dto.status)) close();
        };
        // Serialised re-reads: a burst of notifications becomes one read after another.
        const refresh = () => {
          sending = sending
            .then(async () => {
              if (!closed) send(await getTaskView(db, reader, params.id));
            })
            .catch(() => {});
        };
        const unsubscribe = await subscribeToTask(params.id, refresh);
        const recheck = setInterval(refresh, RECHECK_MS);
        const heartbeat = setInterval(() => {
          if (!closed) controller.enqueue(encoder.encode(": keep-alive\n\n"));
        }, HEARTBEAT_MS);
        cleanup = () => {
          unsubscribe();
          clearInterval(recheck);
          clearInterval(heartbeat);
        };
        req.signal.addEventListener("abort", close, { once: true });
        send(first);
        refresh();
      },
      cancel() {
        cleanup();
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
