// GET /api/dashboard/events — server-sent events for the signed-in dashboard: one `change`
// event per request that changed (id and status), from the same LISTEN/NOTIFY hub the agents'
// waits use. The page re-reads what it shows; a lost event only delays (it also polls).
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { subscribeToChanges } from "@/lib/services/changes";
import { currentUser } from "@/lib/services/sign-in";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;

export const GET = apiRoute({
  name: "GET /api/dashboard/events",
  auth: "session",
  async handler({ req, db, principal }) {
    // A disabled account's session stops here, before the stream starts.
    await currentUser(db, principal);
    const encoder = new TextEncoder();
    let closed = false;
    let cleanup = () => {};
    const finish = () => {
      if (closed) return false;
      closed = true;
      cleanup();
      return true;
    };
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const write = (text: string) => {
          if (closed) return;
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            finish();
          }
        };
        const close = () => {
          if (!finish()) return;
          try {
            controller.close();
          } catch {
            // Already closed from the reader's side.
          }
        };
        if (req.signal.aborted) return close();
        req.signal.addEventListener("abort", close, { once: true });
        const unsubscribe = await subscribeToChanges((change) =>
          write(
            `event: change\ndata: ${JSON.stringify({ request_id: change.request_id, status: change.status })}\n\n`,
          ),
        );
        const heartbeat = setInterval(() => write(": keep-alive\n\n"), HEARTBEAT_MS);
        cleanup = () => {
          unsubscribe();
          clearInterval(heartbeat);
          req.signal.removeEventListener("abort", close);
        };
        if (closed) return cleanup();
        write(": connected\n\n");
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
