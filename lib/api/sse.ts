// Server-sent events for route handlers: one stream shape for the agents' task events and the
// dashboard's live feed. The stream ends when the handler closes it, the client aborts the
// request or the reader cancels the body — in any order, any number of them, even while the
// handler is still subscribing. One flag for all of them, so cleanup runs once and nothing is
// written after it: a closed controller throws, and from an abort listener or a timer that
// would crash the process. Every stream holds one of its caller's slots (lib/api/streams.ts),
// given back by that same cleanup however the stream ends, and ends when the caller may no
// longer read.
import { log } from "@/lib/log";
import type { StreamHold } from "./streams";

const HEARTBEAT_MS = 15_000;

export interface EventSink {
  /** Write raw SSE text; a no-op once the stream has ended. */
  write(text: string): void;
  /** Send one event. */
  event(name: string, data: unknown): void;
  /** End the stream (idempotent). */
  close(): void;
  /** Whether the stream has ended. */
  readonly closed: boolean;
}

/**
 * A text/event-stream response. `open` subscribes to whatever feeds the stream and returns
 * its cleanup; it runs once the stream starts, and its cleanup runs exactly once at the end.
 * `hold` is released at the end too, even when `open` never ran or failed; its signal ends
 * the stream.
 */
export function eventStream(
  req: Request,
  hold: StreamHold,
  open: (sink: EventSink) => Promise<() => void>,
): Response {
  const encoder = new TextEncoder();
  let closed = false;
  let cleanup: (() => void) | null = null;
  const finish = (): boolean => {
    if (closed) return false;
    closed = true;
    cleanup?.();
    cleanup = null;
    hold.release();
    return true;
  };

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const sink: EventSink = {
        get closed() {
          return closed;
        },
        write(text) {
          if (closed) return;
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            finish();
          }
        },
        event(name, data) {
          sink.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
        },
        close() {
          if (!finish()) return;
          try {
            controller.close();
          } catch {
            // Already closed from the reader's side: nothing left to end.
          }
        },
      };
      // An aborted signal never fires "abort" again: a request gone (or a caller refused)
      // already ends here.
      if (req.signal.aborted || hold.signal.aborted) return sink.close();
      req.signal.addEventListener("abort", sink.close, { once: true });
      hold.signal.addEventListener("abort", sink.close, { once: true });
      const stopListening = () => {
        req.signal.removeEventListener("abort", sink.close);
        hold.signal.removeEventListener("abort", sink.close);
      };
      let release: () => void;
      try {
        release = await open(sink);
      } catch (error) {
        log().error({ err: error }, "event stream failed to start");
        stopListening();
        return sink.close();
      }
      const heartbeat = setInterval(() => sink.write(": keep-alive\n\n"), HEARTBEAT_MS);
      const done = () => {
        release();
        clearInterval(heartbeat);
        stopListening();
      };
      // Ended while subscribing: release what was just set up.
      if (closed) return done();
      cleanup = done;
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
}
