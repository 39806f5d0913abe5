"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import {
  approveRequest,
  claimRequest,
  escalateRequest,
  quarantineRequest,
  rejectRequest,
  releaseRequest,
  unclaimRequest,
} from "@/app/(dashboard)/actions";
import { unwrap } from "../action-result";
import { rereadRequests } from "../query-keys";

export type DecisionKind = "approve" | "reject" | "escalate" | "quarantine" | "release";

export type DecisionInput =
  | {
      kind: "approve";
      id: string;
      justification?: string;
      edited_inputs?: Record<string, unknown>;
      seen_hash?: string;
    }
  | { kind: "reject" | "quarantine"; id: string; reason: string }
  | { kind: "escalate" | "release"; id: string; reason?: string }
  | { kind: "claim" | "unclaim"; id: string };

function run(input: DecisionInput) {
  switch (input.kind) {
    case "approve":
      return unwrap(
        approveRequest({
          id: input.id,
          justification: input.justification || undefined,
          edited_inputs: input.edited_inputs,
          seen_hash: input.seen_hash,
        }),
      );
    case "reject":
      return unwrap(rejectRequest({ id: input.id, reason: input.reason }));
    case "quarantine":
      return unwrap(quarantineRequest({ id: input.id, reason: input.reason }));
    case "escalate":
      return unwrap(escalateRequest({ id: input.id, reason: input.reason || undefined }));
    case "release":
      return unwrap(releaseRequest({ id: input.id, reason: input.reason || undefined }));
    case "claim":
      return unwrap(claimRequest({ id: input.id }));
    case "unclaim":
      return unwrap(unclaimRequest({ id: input.id }));
  }
}

/** One mutation for every decision; afterwards every view of requests is re-read. */
export function useDecide() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSettled: (_data, _error, input) => rereadRequests(client, [input.id]),
  });
}
