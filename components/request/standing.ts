"use client";
import { useQuery } from "@tanstack/react-query";
import { loadQueue } from "@/app/(dashboard)/actions";
import { unwrap } from "../action-result";
import { POLL_MS } from "../live";

export interface Standing {
  actionable: boolean;
  reason: string | null;
}

/**
 * Whether the reader may approve this request now, and why not, as the queue says it: the
 * queue's verdict is the server's own (level, role, four-eyes, escalation), read through the
 * request's workflow.
 */
export function useStanding(
  id: string,
  workflowId: string,
  open: boolean,
  initial: Standing | null,
) {
  return useQuery({
    queryKey: ["standing", id],
    queryFn: async (): Promise<Standing | null> => {
      const q = await unwrap(loadQueue({ workflow_id: workflowId, limit: 200 }));
      const item = q.items.find((i) => i.id === id);
      return item ? { actionable: item.actionable, reason: item.not_actionable_reason } : null;
    },
    initialData: initial,
    enabled: open,
    refetchInterval: POLL_MS,
  });
}
