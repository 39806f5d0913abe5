"use client";
// The request page's "Action" panel: what the agent wants to do and with which inputs, the
// editor for them, the comparison with the agent's original, and the agent's context.

import { useState } from "react";
import type { RequestDetailDto } from "@/lib/contract/api";
import { Panel, SectionTitle } from "../ui/alert";
import { Button } from "../ui/button";
import { JsonDiff } from "../ui/json-diff";
import { JsonTree } from "../ui/json-tree";
import { VisibleText } from "../ui/visible-text";
import { Fact } from "./facts";
import { InputsEditor } from "./inputs-editor";
import type { RequestDecisions } from "./use-request-decisions";

export function ActionPanel({
  r,
  open,
  canEdit,
  inputs,
  decisions,
}: {
  r: RequestDetailDto;
  open: boolean;
  canEdit: boolean;
  /** The inputs as they stand: a reviewer's edit, else the agent's. */
  inputs: Record<string, unknown>;
  decisions: RequestDecisions;
}) {
  const { editing, setEditing, setEdited, setDialog } = decisions;
  const [showOriginal, setShowOriginal] = useState(false);
  const original = (r.action_details.inputs ?? {}) as Record<string, unknown>;
  return (
    <Panel className="p-4 sm:p-5" aria-labelledby="action-title">
      <SectionTitle
        id="action-title"
        aside={
          canEdit && !editing ? (
            <Button size="sm" onClick={() => setEditing(true)} data-testid="edit-inputs">
              Edit inputs
            </Button>
          ) : null
        }
      >
        Action
      </SectionTitle>
      <dl className="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Fact label="Type" wrap>
          <span className="font-mono">
            <VisibleText text={r.action_details.type} />
          </span>
        </Fact>
        <Fact label="Operation">
          <VisibleText text={r.action_details.operation ?? "—"} />
        </Fact>
        <Fact label="Environment">
          <VisibleText text={r.action_details.environment ?? "—"} />
        </Fact>
        <Fact label="Resource">
          <VisibleText text={r.action_details.resource_type ?? "—"} />
        </Fact>
      </dl>
      <div className="mt-4 flex flex-wrap items-center justify-between gap-2">
        <h3 className="text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">
          {r.edited_inputs ? "Inputs, as edited by a reviewer" : "Inputs"}
        </h3>
        {r.edited_inputs && (
          <button
            type="button"
            className="text-xs text-indigo-700 hover:underline dark:text-indigo-300"
            onClick={() => setShowOriginal((s) => !s)}
            aria-expanded={showOriginal}
          >
            {showOriginal ? "Hide the agent's original" : "Compare with the agent's original"}
          </button>
        )}
      </div>
      {editing ? (
        <div className="mt-2">
          <InputsEditor
            current={inputs}
            onCancel={() => setEditing(false)}
            onReview={(v) => {
              setEdited(v);
              setDialog("approve");
            }}
          />
        </div>
      ) : (
        <div className="mt-2 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200 ring-inset dark:bg-slate-950 dark:ring-slate-800">
          {Object.keys(inputs).length === 0 ? (
            <p className="text-sm text-slate-500 dark:text-slate-400">The agent sent no inputs.</p>
          ) : (
            <JsonTree value={inputs} label="Inputs" testId="inputs-tree" />
          )}
        </div>
      )}
      {showOriginal && r.edited_inputs && (
        <div className="mt-3">
          <JsonDiff before={original} after={r.edited_inputs} />
        </div>
      )}
      {r.action_details.context && Object.keys(r.action_details.context).length > 0 && (
        <details className="mt-4">
          <summary className="cursor-pointer text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">
            Context from the agent
          </summary>
          <div className="mt-2 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200 ring-inset dark:bg-slate-950 dark:ring-slate-800">
            <JsonTree value={r.action_details.context} label="Context" />
          </div>
        </details>
      )}
      {open && !r.allowed_decisions.includes("edit") && (
        <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">
          The agent does not accept edited inputs for this action: approve it as it is, or reject
          it.
        </p>
      )}
    </Panel>
  );
}
