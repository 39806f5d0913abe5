"use client";
import { useQuery } from "@tanstack/react-query";
import { POLL_MS } from "../live";
import { queryKeys } from "../query-keys";
import { read } from "../reads";

export interface Standing {
  actionable: boolean;
  reason: string | null;
}

/**
 * Whether the reader may approve this request now, and why not: the server's own verdict
 * (level, role, four-eyes, escalation, a vote already given), read with the request.
 */
export function useStanding(id: string, open: boolean, initial: Standing | null) {
  return useQuery({
    queryKey: queryKeys.standing.of(id),
    queryFn: async ({ signal }): Promise<Standing | null> => {
      const r = await read("request", { id }, signal);
      return { actionable: r.actionable, reason: r.not_actionable_reason };
    },
    initialData: initial,
    enabled: open,
    refetchInterval: POLL_MS,
  });
}
