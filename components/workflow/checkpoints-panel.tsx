"use client";
// The workflow page's "Checkpoints" panel: the state the agents saved along the way, each
// with a link to its request and its data as a tree.

import Link from "next/link";
import type { WorkflowStatusDto } from "@/lib/contract/api";
import { visibleText } from "@/lib/hitl/text";
import { Panel, SectionTitle } from "../ui/alert";
import { Tag } from "../ui/badge";
import { DateTime } from "../ui/clock";
import { JsonTree } from "../ui/json-tree";
import { VisibleText } from "../ui/visible-text";
import { MorePages, type MoreState } from "./more-pages";

export function CheckpointsPanel({ data, more }: { data: WorkflowStatusDto; more: MoreState }) {
  return (
    <Panel aria-labelledby="wf-checkpoints" className="p-4 sm:p-5 lg:col-span-2">
      <SectionTitle id="wf-checkpoints">Checkpoints</SectionTitle>
      <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
        State the agents saved along the way, so a long job can resume from its last good step.
      </p>
      <ul className="mt-4 space-y-4" data-testid="workflow-checkpoints">
        {data.checkpoints.map((c) => (
          <li key={c.checkpoint_id} data-testid="workflow-checkpoint">
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <span className="font-medium text-slate-900 dark:text-slate-100">
                <VisibleText text={c.name} />
              </span>
              <Tag>{c.type.replace("_", " ")}</Tag>
              <span className="text-xs text-slate-500 dark:text-slate-400">
                #{c.sequence_number} · {c.status} · <DateTime iso={c.created_at} />
              </span>
              <Link
                href={`/requests/${c.action_id}`}
                className="text-xs text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300"
              >
                its request
              </Link>
            </div>
            <div className="mt-2 overflow-x-auto rounded-md bg-slate-50 p-3 ring-1 ring-slate-200 dark:bg-slate-950 dark:ring-slate-800">
              <JsonTree value={c.data} openDepth={2} label={`Data of ${visibleText(c.name)}`} />
            </div>
          </li>
        ))}
      </ul>
      <MorePages list="checkpoints" data={data} more={more} className="mt-4" />
    </Panel>
  );
}
