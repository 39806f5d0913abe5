"use client";
// The top of the request page: the breadcrumb, and the header with the request's badges, type,
// description and facts (who sent it, when, how long it has left, or how it ended).

import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import type { RequestDetailDto } from "@/lib/contract/api";
import { visibleText } from "@/lib/hitl/text";
import { roleWords } from "@/lib/hitl/types";
import { queryKeys } from "../query-keys";
import { RiskBadge, StatusBadge, Tag } from "../ui/badge";
import { Age, Countdown, DateTime } from "../ui/clock";
import { VisibleText } from "../ui/visible-text";
import { personName, useViewer } from "../viewer";
import { Fact } from "./facts";

/** Where the task's graph is, once its request closed. */
function executionWords(r: RequestDetailDto): string {
  switch (r.execution) {
    case "waiting":
      // Closed, and the agent's graph not yet told: it goes on only if it was approved.
      return r.status === "approved" ? "resuming…" : "telling the agent…";
    case "running":
      return "running";
    case "completed":
      return r.status === "approved" ? "executed" : "not executed";
    case "failed":
      return "failed (hitl outbox list)";
  }
}

export function RequestBreadcrumb({ r }: { r: RequestDetailDto }) {
  return (
    <nav
      aria-label="Breadcrumb"
      className="flex min-w-0 items-center gap-1.5 text-sm text-slate-500 dark:text-slate-400"
    >
      <Link
        href="/queue"
        className="hover:text-slate-900 hover:underline dark:hover:text-slate-100"
      >
        Queue
      </Link>
      <span aria-hidden>/</span>
      <Link
        href={`/workflows/${encodeURIComponent(r.workflow_id)}`}
        className="truncate hover:text-slate-900 hover:underline dark:hover:text-slate-100"
      >
        <VisibleText text={r.workflow_id} />
      </Link>
    </nav>
  );
}

export function RequestHeader({ r, open }: { r: RequestDetailDto; open: boolean }) {
  const viewer = useViewer();
  const client = useQueryClient();
  return (
    <header className="mt-3">
      <div className="flex flex-wrap items-center gap-2">
        <RiskBadge level={r.risk.level} />
        <StatusBadge status={r.status} />
        {r.escalated_to && open && <Tag>escalated to {roleWords(r.escalated_to)}</Tag>}
        {r.auto_approved && <Tag>approved on arrival</Tag>}
      </div>
      <h1
        className="mt-2 font-mono text-xl font-semibold break-all sm:text-2xl"
        data-testid="request-type"
      >
        <VisibleText text={r.action.type} />
      </h1>
      <p
        className="mt-1 max-w-3xl text-slate-700 dark:text-slate-300"
        data-testid="request-description"
      >
        {r.action.description ? (
          <VisibleText text={r.action.description} />
        ) : (
          <span className="italic text-slate-500">The agent gave no description.</span>
        )}
      </p>
      <dl className="mt-4 grid grid-cols-2 gap-x-6 gap-y-3 sm:grid-cols-3 lg:grid-cols-6">
        <Fact label="Agent">
          <VisibleText text={r.agent_name} />
        </Fact>
        <Fact label="Workflow">
          <Link
            className="underline decoration-slate-300 underline-offset-2 dark:decoration-slate-600"
            href={`/workflows/${encodeURIComponent(r.workflow_id)}`}
          >
            <VisibleText text={r.workflow_id} />
          </Link>
        </Fact>
        <Fact label="Submitted">
          <Age iso={r.created_at} />
        </Fact>
        <Fact label={open ? "Expires in" : "Decided"}>
          {open ? (
            <Countdown
              expiresAt={r.expires_at}
              startedAt={r.created_at}
              label={visibleText(r.action.type)}
              className="text-sm"
              onExpire={() => void client.invalidateQueries({ queryKey: queryKeys.request(r.id) })}
            />
          ) : r.decided_at ? (
            <DateTime iso={r.decided_at} />
          ) : (
            "—"
          )}
        </Fact>
        <Fact label="Priority">{r.priority}</Fact>
        {open ? (
          <Fact label="Claimed by">
            {r.claimed_by ? personName(viewer, r.claimed_by) : "nobody"}
          </Fact>
        ) : (
          <Fact label="Execution">
            <span data-testid="request-execution">{executionWords(r)}</span>
          </Fact>
        )}
      </dl>
    </header>
  );
}
