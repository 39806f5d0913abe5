"use client";
// The grants page's lists, "In force" and "Ended": each standing approval with its state, what
// it covers, how much of it is used, who gave it, and a revoke button while it is in force.

import type { GrantDto } from "@/lib/contract/grants";
import { roleWords } from "@/lib/hitl/types";
import { Panel } from "../ui/alert";
import { RiskBadge } from "../ui/badge";
import { Button } from "../ui/button";
import { Age, Countdown, DateTime } from "../ui/clock";
import { cx } from "../ui/cx";
import { VisibleText } from "../ui/visible-text";
import { personName, useViewer } from "../viewer";
import { Scope, UsageBar } from "./grant-fields";
import { endedAt, type GrantState, mayRevoke } from "./terms";

const STATE_BADGE: Record<GrantState, { label: string; className: string }> = {
  active: {
    label: "active",
    className:
      "bg-emerald-50 text-emerald-800 ring-emerald-600/25 dark:bg-emerald-400/10 dark:text-emerald-300 dark:ring-emerald-400/30",
  },
  used_up: {
    label: "used up",
    className:
      "bg-amber-50 text-amber-900 ring-amber-600/30 dark:bg-amber-400/10 dark:text-amber-200 dark:ring-amber-400/30",
  },
  expired: {
    label: "expired",
    className:
      "bg-slate-100 text-slate-700 ring-slate-500/25 dark:bg-slate-400/10 dark:text-slate-300 dark:ring-slate-400/30",
  },
  revoked: {
    label: "revoked",
    className:
      "bg-red-50 text-red-800 ring-red-600/25 dark:bg-red-400/10 dark:text-red-300 dark:ring-red-400/30",
  },
};

function StateBadge({ state }: { state: GrantState }) {
  const badge = STATE_BADGE[state];
  return (
    <span
      data-testid="grant-state"
      className={cx(
        "inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset",
        badge.className,
      )}
    >
      {badge.label}
    </span>
  );
}

export function GrantSection({
  id,
  title,
  empty,
  items,
  onRevoke,
}: {
  id: string;
  title: string;
  empty: string;
  items: { g: GrantDto; state: GrantState }[];
  onRevoke: (g: GrantDto) => void;
}) {
  return (
    <section aria-labelledby={id} className="mt-8" data-testid={id}>
      <h2 id={id} className="text-base font-semibold">
        {title}{" "}
        <span className="font-normal text-slate-500 dark:text-slate-400">({items.length})</span>
      </h2>
      <Panel className="mt-3 overflow-hidden">
        {items.length === 0 ? (
          <p className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">{empty}</p>
        ) : (
          <ul className="divide-y divide-slate-100 dark:divide-slate-800">
            {items.map(({ g, state }) => (
              <GrantRow key={g.id} g={g} state={state} onRevoke={onRevoke} />
            ))}
          </ul>
        )}
      </Panel>
    </section>
  );
}

function GrantRow({
  g,
  state,
  onRevoke,
}: {
  g: GrantDto;
  state: GrantState;
  onRevoke: (g: GrantDto) => void;
}) {
  const viewer = useViewer();
  const live = state === "active";
  const end = endedAt(g, state);
  return (
    <li
      data-testid="grant-row"
      data-id={g.id}
      data-state={state}
      className={cx(
        "flex flex-col gap-3 px-4 py-3 sm:flex-row sm:items-start sm:gap-4",
        !live && "bg-slate-50 dark:bg-slate-950/40",
      )}
    >
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <StateBadge state={state} />
          <span className="font-medium break-all" data-testid="grant-agent">
            {g.agent}
          </span>
          {g.agent_name && (
            <span className="text-xs text-slate-500 dark:text-slate-400">
              as <VisibleText text={g.agent_name} />
            </span>
          )}
          <span aria-hidden className="text-slate-400">
            ·
          </span>
          <span className="font-mono text-sm break-all" data-testid="grant-type">
            {g.type_pattern}
          </span>
          <span className="text-xs text-slate-500 dark:text-slate-400">in</span>
          <Scope value={g.environment} any="any environment" />
          <span className="inline-flex items-center gap-1 text-xs text-slate-500 dark:text-slate-400">
            up to <RiskBadge level={g.max_level} />
          </span>
        </p>
        <div className="mt-2 flex flex-wrap items-center gap-x-5 gap-y-1.5">
          <UsageBar uses={g.uses} max={g.max_uses} ended={!live} />
          <span className="text-xs text-slate-600 dark:text-slate-400">
            {live ? (
              <span className="inline-flex items-center gap-1">
                <span>left</span>
                <Countdown
                  expiresAt={g.expires_at}
                  startedAt={g.created_at}
                  label={`${g.agent} ${g.type_pattern} standing approval`}
                />
              </span>
            ) : end ? (
              <>
                {state === "revoked" ? "revoked" : "expired"} <DateTime iso={end} />
                {state === "revoked" && g.revoked_by && <> by {personName(viewer, g.revoked_by)}</>}
              </>
            ) : (
              <>
                would have run until <DateTime iso={g.expires_at} />
              </>
            )}
          </span>
        </div>
        <p className="mt-1.5 text-xs text-slate-500 dark:text-slate-400">
          by{" "}
          <span className="text-slate-700 dark:text-slate-300" data-testid="grant-grantor">
            {personName(viewer, g.grantor_id)}
          </span>{" "}
          ({roleWords(g.grantor_role)}) · created <Age iso={g.created_at} />
        </p>
        <p className="mt-1 text-sm break-words text-slate-700 dark:text-slate-300">“{g.reason}”</p>
      </div>
      {live && mayRevoke(viewer, g) && (
        <Button
          size="sm"
          variant="ghost"
          onClick={() => onRevoke(g)}
          data-testid="grant-revoke"
          className="self-start"
        >
          Revoke
        </Button>
      )}
    </li>
  );
}
