"use client";
import { useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
// The dashboard's live feed: one EventSource per tab on /api/dashboard/events. Each change
// marks the queue, the recently decided list, the changed request and the workflows stale;
// react-query re-reads what is on screen and keeps the rest for later. Each (re)connect
// re-reads too, for what changed while it was connecting; polling (15 s) covers a lost stream.
import { rereadRequests } from "./query-keys";

export type LiveState = "connecting" | "live" | "offline";
const Live = createContext<LiveState>("connecting");
export const useLiveState = () => useContext(Live);

export const POLL_MS = 15_000;

export function LiveUpdates({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>("connecting");
  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let flush: ReturnType<typeof setTimeout> | null = null;
    const changed = new Set<string>();
    const invalidate = () => {
      flush = null;
      const ids = [...changed];
      changed.clear();
      rereadRequests(client, ids);
    };
    const open = () => {
      source = new EventSource("/api/dashboard/events");
      source.onopen = () => {
        setState("live");
        // Whatever changed while the stream was (re)connecting was never sent: catch up.
        flush ??= setTimeout(invalidate, 0);
      };
      source.addEventListener("change", (e) => {
        try {
          const data = JSON.parse((e as MessageEvent<string>).data) as { request_id?: string };
          if (data.request_id) changed.add(data.request_id);
        } catch {
          // A malformed event still means something changed.
        }
        // Bursts (a batch, the sweeper) become one re-read.
        flush ??= setTimeout(invalidate, 250);
      });
      source.onerror = () => {
        if (source?.readyState === EventSource.CLOSED) {
          // The server refused the stream (signed out, restarted): poll, and try again later.
          setState("offline");
          source.close();
          retry = setTimeout(open, 30_000);
        } else {
          setState("connecting");
        }
      };
    };
    open();
    return () => {
      source?.close();
      if (retry) clearTimeout(retry);
      if (flush) clearTimeout(flush);
    };
  }, [client]);
  return <Live.Provider value={state}>{children}</Live.Provider>;
}
