"use client";
// The request page's decision dialog, wired to its decision state: which decision is open, the
// version the reviewer read, and their edit of the inputs, shown as a diff before they approve.

import type { RequestDetailDto } from "@/lib/contract/api";
import { DecisionDialog } from "../queue/decision-dialog";
import { JsonDiff } from "../ui/json-diff";
import type { RequestDecisions } from "./use-request-decisions";

export function RequestDecisionDialog({
  r,
  inputs,
  decisions,
}: {
  r: RequestDetailDto;
  /** The inputs as they stand, which an edit is compared with. */
  inputs: Record<string, unknown>;
  decisions: RequestDecisions;
}) {
  const { dialog, setDialog, edited, setEdited, seenHash, done } = decisions;
  const target = { ...r, requires_justification: r.requires_justification };
  return (
    <DecisionDialog
      kind={dialog}
      target={dialog ? target : null}
      onClose={() => {
        setDialog(null);
        setEdited(null);
      }}
      onDone={(message) => done(message)}
      editedInputs={dialog === "approve" && edited ? edited : undefined}
      seenHash={dialog === "approve" ? seenHash : undefined}
      preface={
        dialog === "approve" && edited ? (
          <div className="mb-4">
            <JsonDiff before={inputs} after={edited} testId="edit-diff" />
          </div>
        ) : undefined
      }
    />
  );
}
