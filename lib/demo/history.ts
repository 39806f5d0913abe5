// Past requests written straight into the tables, as they would have happened: each one is
// opened, decided and swept by the domain core (lib/hitl) at the times given, so its row, its
// approvals, its task and its audit events are what the lifecycle itself would have written,
// only dated in the past. What the demo's insights are drawn from, and what the insights
// suites build their exact histories with.
//
// Only closed requests are written: a history never adds to the queue. Nothing is queued
// either (no outbox rows): the agents were told long ago, and their graphs are recorded as
// completed, so recovery leaves them alone. The audit events are appended unsealed like any
// others, and the sealer links them into the chain (they carry the times they happened at).
//
// Who may call it: the operator (the demo seed, the test suites' setup).
import { randomUUID } from "node:crypto";
import type { Database, Executor } from "@/db/client";
import { type AuditEventInput, auditInsert } from "@/db/queries/audit";
import { insertTogether } from "@/db/queries/batch";
import { changedColumns, requestValues } from "@/db/queries/requests";
import { approvalRequests, approvals, tasks } from "@/db/schema";
import {
  type Action,
  type Actor,
  type ApprovalRequest,
  type AuditEventDraft,
  assess,
  type Command,
  decide,
  effectiveAction,
  isOpenStatus,
  openRequest,
  type Reviewer,
  type RuleSet,
  sweepCommand,
} from "@/lib/hitl";
import { type Principal, requireOperator } from "@/lib/services/principal";
import { hitlConfig } from "@/lib/services/rules/config";

export interface HistoryStep {
  at: Date;
  /**
   * Who acts: people in order of preference (the first the core lets act does; e.g. a tech
   * lead, or a devops engineer once the request escalated), or the submitting agent.
   */
  by: readonly Reviewer[] | "agent";
  command: Command;
}

export interface HistoryItem {
  /** The submitting agent key and its owner. */
  key: { id: string; ownerId: string | null; agent: string };
  /** The label of the sub-agent acting (the task's agent_name). */
  agentName: string;
  workflowId?: string;
  action: Action;
  createdAt: Date;
  /** What people (or the agent) did, in order; whatever is left open afterwards expires. */
  steps?: readonly HistoryStep[];
}

export interface SimulatedRequest {
  item: HistoryItem;
  opened: ApprovalRequest;
  request: ApprovalRequest;
  events: AuditEventDraft[];
  reasons: string[];
  matched_rules: string[];
  /** How many decisions changed it (its row's version). */
  changes: number;
}

/** A step the core refused (strict mode), naming the item and what was refused. */
export class HistoryError extends Error {
  override name = "HistoryError";
}

const SYSTEM_ACTOR: Actor = { kind: "system" };

/**
 * One item through the core: opened at `createdAt`; before each step, whatever the sweeper
 * would have done by then (automatic escalation, expiry) happens at the moment it fell due;
 * then the step. Strict (the default), a refused step throws; otherwise it is skipped, as a
 * reviewer refused would have gone away. Whatever is still open at the end expires.
 */
export function simulateRequest(
  ruleSet: RuleSet,
  item: HistoryItem,
  options: { strict?: boolean } = {},
): SimulatedRequest {
  const strict = options.strict ?? true;
  const assessment = assess(ruleSet, item.action);
  const opened = openRequest(ruleSet, {
    id: randomUUID(),
    workflow_id: item.workflowId ?? `history-${randomUUID()}`,
    action: item.action,
    assessment,
    submitter_key_id: item.key.id,
    submitter_owner_id: item.key.ownerId,
    now: item.createdAt,
  });
  let request = opened.request;
  const events = [...opened.events];
  let changes = 0;
  const apply = (command: Command, actor: Actor, at: Date) => {
    const result = decide(request, command, actor, at, { ruleSet });
    if (!result.ok) return result.error.message;
    request = result.request;
    events.push(...result.events);
    changes++;
    return null;
  };
  /** What the sweeper did up to `until`, each at the instant it fell due. */
  const sweepUntil = (until: number) => {
    for (let guard = 0; guard < 10 && isOpenStatus(request.status); guard++) {
      const due = Math.min(
        request.expires_at.getTime(),
        request.auto_escalate_at?.getTime() ?? Number.POSITIVE_INFINITY,
      );
      if (due > until) return;
      const at = new Date(due);
      const command = sweepCommand(request, at);
      if (!command || apply(command, SYSTEM_ACTOR, at) !== null) return;
    }
  };

  /** The step by its first actor the core lets act; the refusals when none may. */
  const act = (step: HistoryStep): string[] => {
    if (!isOpenStatus(request.status)) return [`the request is already ${request.status}`];
    const actors: Actor[] =
      step.by === "agent"
        ? [{ kind: "agent", key_id: item.key.id }]
        : step.by.map((person) => ({ kind: "user", ...person }));
    const refusals: string[] = [];
    for (const actor of actors) {
      const refused = apply(step.command, actor, step.at);
      if (refused === null) return [];
      refusals.push(refused);
    }
    return actors.length === 0 ? ["nobody acts"] : refusals;
  };

  for (const step of item.steps ?? []) {
    sweepUntil(step.at.getTime());
    const refusals = act(step);
    if (refusals.length > 0 && strict) {
      throw new HistoryError(
        `${item.action.type} at ${step.at.toISOString()}: ${step.command.type} refused (${refusals.join("; ")})`,
      );
    }
  }
  sweepUntil(Number.POSITIVE_INFINITY);
  if (isOpenStatus(request.status)) {
    throw new HistoryError(
      `${item.action.type} created ${item.createdAt.toISOString()} never closed`,
    );
  }
  return {
    item,
    opened: opened.request,
    request,
    events,
    reasons: assessment.reasons,
    matched_rules: assessment.matched_rules,
    changes,
  };
}

/** What the agent received from its graph, as the graph's last node records it. */
function executionResult(r: ApprovalRequest) {
  const context = r.action.context ?? {};
  return r.status === "approved"
    ? { executed: true, status: r.status, action: effectiveAction(r), context }
    : { executed: false, status: r.status, reason: r.status_reason, context };
}

// Rows per INSERT: well under PostgreSQL's 65,535 parameters a statement, at ~60 columns a row.
const CHUNK = 200;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * Write simulated requests in one transaction: their tasks (completed), rows, approvals and
 * audit events — the events in the order they happened, so the chain reads as the history
 * did. Returns how many requests were written.
 */
export async function writeSimulated(
  db: Database,
  principal: Principal,
  simulated: readonly SimulatedRequest[],
): Promise<number> {
  requireOperator(principal, "write a request history");
  await db.transaction((tx) => insertSimulated(tx, simulated));
  return simulated.length;
}

/** writeSimulated's inserts, in the caller's transaction; `alsoRecord` follows the history. */
export async function insertSimulated(
  tx: Executor,
  simulated: readonly SimulatedRequest[],
  alsoRecord: readonly AuditEventInput[] = [],
): Promise<void> {
  const rows = simulated.map((s) => {
    const taskId = randomUUID();
    const threadId = `thread-${taskId}`;
    const closedAt = s.request.decided_at as Date;
    const waited = s.opened.decided_at === null;
    const subject = { request_id: s.request.id, workflow_id: s.request.workflow_id };
    const system = { actor_type: "system" as const, actor_id: null, at: closedAt };
    return {
      task: {
        id: taskId,
        workflowId: s.request.workflow_id,
        threadId,
        apiKeyId: s.item.key.id,
        agentName: s.item.agentName,
        execution: "completed",
        executionResult: executionResult(s.request),
        resumeCount: waited ? 1 : 0,
        startedAt: s.opened.created_at,
        resumedAt: waited ? closedAt : null,
        completedAt: closedAt,
        createdAt: s.opened.created_at,
        updatedAt: closedAt,
      },
      request: {
        ...requestValues(s.opened, {
          taskId,
          threadId,
          agentName: s.item.agentName,
          priority: "normal",
          reasons: s.reasons,
          matched_rules: s.matched_rules,
          idempotencyKey: null,
          requestFingerprint: null,
        }),
        ...changedColumns(s.opened, s.request),
        version: s.changes,
      },
      approvals: s.request.approvals.map((a) => ({
        requestId: s.request.id,
        approverId: a.approver_id,
        approverRole: a.role,
        justification: a.justification,
        contentHash: a.content_hash,
        generation: a.generation,
        ruleSetVersion: a.rule_set_version,
        createdAt: a.at,
      })),
      events: [
        ...s.events.map((e) => ({
          ...e,
          payload:
            e.type === "hitl.approval_requested"
              ? {
                  ...e.payload,
                  task_id: taskId,
                  agent: s.item.key.agent,
                  agent_name: s.item.agentName,
                }
              : { ...e.payload, task_id: taskId },
        })),
        ...(waited
          ? [
              {
                ...subject,
                ...system,
                type: "workflow.resumed" as const,
                payload: {
                  task_id: taskId,
                  thread_id: threadId,
                  status: s.request.status,
                  edited_inputs: s.request.edited_inputs,
                  resume_count: 1,
                },
              },
            ]
          : []),
        {
          ...subject,
          ...system,
          type: "workflow.completed" as const,
          payload: {
            task_id: taskId,
            executed: s.request.status === "approved",
            status: s.request.status,
            callback: false,
          },
        },
      ],
    };
  });
  // Stable: the events of one instant keep the order the core gave them.
  const events = rows
    .flatMap((r) => r.events)
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at.getTime() - b.e.at.getTime() || a.i - b.i)
    .map(({ e }) => e);
  for (const part of chunks(rows.map((r) => r.task))) await tx.insert(tasks).values(part);
  for (const part of chunks(rows.map((r) => r.request))) {
    await tx.insert(approvalRequests).values(part);
  }
  for (const part of chunks(rows.flatMap((r) => r.approvals))) {
    await tx.insert(approvals).values(part);
  }
  for (const part of chunks([...events, ...alsoRecord])) {
    await insertTogether(tx, [auditInsert(tx, part)]);
  }
}

/** Simulate and write items (strictly: a refused step is an error in the history). */
export async function writeHistory(
  db: Database,
  principal: Principal,
  items: readonly HistoryItem[],
  options: { ruleSet?: RuleSet } = {},
): Promise<SimulatedRequest[]> {
  requireOperator(principal, "write a request history");
  const ruleSet = options.ruleSet ?? hitlConfig().ruleSet;
  const simulated = items.map((item) => simulateRequest(ruleSet, item));
  await writeSimulated(db, principal, simulated);
  return simulated;
}
