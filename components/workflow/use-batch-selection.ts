"use client";
// Deciding several of a workflow's requests at once: which the reader may decide (the server's
// verdict), which they selected, the batch decision and what came of each request.

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { decideBatch } from "@/app/(dashboard)/actions";
import type { QueueResponse, WorkflowRequestDto } from "@/lib/contract/api";
import { isOpenStatus } from "@/lib/hitl/types";
import { unwrap } from "../action-result";
import { POLL_MS } from "../live";
import { queryKeys } from "../query-keys";
import { read } from "../reads";
import { useAnnounce } from "../ui/clock";
import { useViewer } from "../viewer";

export type BatchResult =
  | { id: string; ok: true; status: string }
  | { id: string; ok: false; error: { code: string; message: string } };

export function useBatchSelection(
  id: string,
  requests: WorkflowRequestDto[],
  initialStanding: QueueResponse,
) {
  const viewer = useViewer();
  const client = useQueryClient();
  const announce = useAnnounce();
  const standing = useQuery({
    queryKey: queryKeys.queue.ofWorkflow(id),
    queryFn: ({ signal }) => read("queue", { workflow_id: id, limit: 200 }, signal),
    initialData: initialStanding,
    refetchInterval: POLL_MS,
  });
  const verdict = useMemo(
    () => new Map((standing.data?.items ?? []).map((i) => [i.id, i])),
    [standing.data],
  );
  const openRequests = requests.filter((r) => isOpenStatus(r.status));
  const decidable = openRequests.filter((r) => verdict.get(r.id)?.actionable);

  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [results, setResults] = useState<Map<string, BatchResult>>(new Map());
  const [dialog, setDialog] = useState<"approve" | "reject" | null>(null);
  // Only what is still open and decidable stays selected as data refreshes.
  const chosen = [...selected].filter((s) => decidable.some((r) => r.id === s));
  const toggle = (rid: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(rid)) next.delete(rid);
      else next.add(rid);
      return next;
    });

  const batch = useMutation({
    mutationFn: (input: { decision: "approve" | "reject"; text: string }) =>
      unwrap(
        decideBatch({
          ids: chosen,
          decision: input.decision,
          justification: input.decision === "approve" ? input.text || undefined : undefined,
          reason: input.decision === "reject" ? input.text : undefined,
        }),
      ),
    onSuccess: (rows, input) => {
      setResults(new Map(rows.map((r) => [r.id, r as BatchResult])));
      const ok = rows.filter((r) => r.ok).length;
      const failed = rows.length - ok;
      announce(
        `${ok} ${input.decision === "approve" ? "approved" : "rejected"}${failed ? `, ${failed} refused` : ""}`,
      );
      setSelected(new Set(rows.filter((r) => !r.ok).map((r) => r.id)));
      setDialog(null);
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: queryKeys.workflow.all });
      void client.invalidateQueries({ queryKey: queryKeys.queue.all });
      void client.invalidateQueries({ queryKey: queryKeys.recent.all });
    },
  });

  const needsJustification = chosen.some((cid) => {
    const r = requests.find((x) => x.id === cid);
    return r ? viewer.levels[r.risk.level]?.requires_justification : false;
  });
  const summary = results.size
    ? {
        ok: [...results.values()].filter((r) => r.ok).length,
        failed: [...results.values()].filter((r) => !r.ok).length,
      }
    : null;

  return {
    verdict,
    decidable,
    chosen,
    setSelected,
    toggle,
    results,
    summary,
    dialog,
    setDialog,
    batch,
    needsJustification,
  };
}
