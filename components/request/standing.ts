"use client";
import { useQuery } from "@tanstack/react-query";
import { loadRequest } from "@/app/(dashboard)/actions";
import { unwrap } from "../action-result";
import { POLL_MS } from "../live";

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
    queryKey: ["standing", id],
    queryFn: async (): Promise<Standing | null> => {
      const r = await unwrap(loadRequest({ id }));
      return { actionable: r.actionable, reason: r.not_actionable_reason };
    },
    initialData: initial,
    enabled: open,
    refetchInterval: POLL_MS,
  });
}
