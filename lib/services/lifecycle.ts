// Submit, decide and sweep: the pure core (lib/hitl) decides, this file makes each decision
// one transaction — lock the request row, re-read the actor's role, apply `decide`, write the
// request, its approvals, the audit events and the outbox rows, and NOTIFY on commit.
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Database, Executor } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import { countGrantUse, lockActiveGrantsForAgent } from "@/db/queries/grants";
import {
  changedColumns,
  countClaimedBy,
  countOpenForKey,
  databaseNow,
  findByIdempotencyKey,
  findTask,
  insertApprovals,
  insertOutbox,
  insertRequest,
  insertTask,
  listApprovals,
  lockDueRequests,
  lockRequestRow,
  notifyRequestChanged,
  type RequestRow,
  type TaskRow,
  toDomain,
  updateRequestRow,
} from "@/db/queries/requests";
import { type SubmitTaskInput, submitTaskSchema } from "@/lib/contract/tasks";
import { env } from "@/lib/env";
import {
  type Actor,
  type ApprovalRequest,
  type Assessment,
  assess,
  type Command,
  canonicalJson,
  type DecideResult,
  decide,
  effectiveAction,
  isOpenStatus,
  matchGrant,
  openRequest,
  type RuleSet,
  sha256Hex,
  sweepCommand,
} from "@/lib/hitl";
import { hitlConfig } from "./config";
import { refusalError, ServiceError } from "./errors";
import { notifyRows, type OutboxSubject, outcomeRows } from "./outbox";
import { currentReviewer } from "./users";
import { parseInput } from "./validation";

/** The agent key a submission or cancellation comes from. */
export interface AgentCaller {
  keyId: string;
  /** The name the key was created with. */
  agent: string;
  /** The key's owner, who never approves what it submits. */
  ownerId: string | null;
}

export interface SubmitResult {
  /** False when an Idempotency-Key retry returned the task created earlier. */
  created: boolean;
  task: TaskRow;
  request: ApprovalRequest;
  row: RequestRow;
}

export interface SubmitOptions {
  idempotencyKey?: string | null;
  ruleSet?: RuleSet;
  /** Open requests one agent key may have at once (default HITL_MAX_OPEN_PER_AGENT). */
  maxOpenPerAgent?: number;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * Assess an action and record it: a pending request (or one approved on arrival, by the
 * level's policy or a standing approval), its task, audit events and outbox rows, in one
 * transaction. The same Idempotency-Key with the same body returns the same task, also when
 * retries race; with another body it is refused.
 */
export async function submitTask(
  db: Database,
  caller: AgentCaller,
  body: unknown,
  options: SubmitOptions = {},
): Promise<SubmitResult> {
  const input = parseInput(submitTaskSchema, body);
  const idempotencyKey = options.idempotencyKey ?? null;
  if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw new ServiceError("invalid", "Idempotency-Key must be 1 to 200 visible ASCII characters", [
      { path: "Idempotency-Key", message: "must be 1 to 200 visible ASCII characters" },
    ]);
  }
  const ruleSet = options.ruleSet ?? hitlConfig().ruleSet;
  const assessment = assess(ruleSet, input.action);
  const fingerprint = sha256Hex(canonicalJson(input));

  return db.transaction(async (tx) => {
    if (idempotencyKey !== null) {
      // Retries with one key queue here, so the first inserts and the rest find its row.
      await tx.execute(
        sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${caller.keyId}:${idempotencyKey}`}, 0))`,
      );
      const existing = await findByIdempotencyKey(tx, caller.keyId, idempotencyKey);
      if (existing) {
        if (existing.requestFingerprint !== fingerprint) {
          throw new ServiceError(
            "unprocessable",
            "This Idempotency-Key was already used with a different body",
            { task_id: existing.taskId },
          );
        }
        return loadExisting(tx, existing);
      }
    }
    const open = await countOpenForKey(tx, caller.keyId);
    const limit = options.maxOpenPerAgent ?? env().HITL_MAX_OPEN_PER_AGENT;
    if (open >= limit) {
      throw new ServiceError(
        "limit",
        `This agent already has ${open} open requests (the limit is ${limit}); wait for decisions before submitting more`,
      );
    }
    const now = await databaseNow(tx);
    const grantId = await takeStandingApproval(tx, ruleSet, caller, input, assessment, now);
    const taskId = randomUUID();
    const { request, events } = openRequest(ruleSet, {
      id: randomUUID(),
      workflow_id: input.workflow_id,
      action: input.action,
      assessment,
      submitter_key_id: caller.keyId,
      submitter_owner_id: caller.ownerId,
      now,
      grant_id: grantId,
    });
    const task = await insertTask(tx, {
      id: taskId,
      workflowId: input.workflow_id,
      threadId: input.thread_id ?? `thread-${taskId}`,
      apiKeyId: caller.keyId,
      agentName: input.agent_name,
      priority: input.priority,
      callbackUrl: input.callback_url ?? null,
      createdAt: now,
      updatedAt: now,
    });
    const row = await insertRequest(tx, request, {
      taskId,
      threadId: task.threadId,
      agentName: input.agent_name,
      priority: input.priority,
      ...riskFactorsOf(assessment),
      idempotencyKey,
      requestFingerprint: fingerprint,
    });
    const subject: OutboxSubject = { request, taskId, callbackUrl: task.callbackUrl };
    await insertOutbox(
      tx,
      isOpenStatus(request.status)
        ? notifyRows(subject, "hitl.approval_requested", assessment.notify)
        : outcomeRows(subject, "hitl.auto_approved"),
    );
    await appendAuditEvents(
      tx,
      events.map((e) => ({
        ...e,
        payload: {
          ...e.payload,
          task_id: taskId,
          agent: caller.agent,
          agent_name: input.agent_name,
        },
      })),
    );
    await notifyRequestChanged(tx, {
      request_id: request.id,
      task_id: taskId,
      status: request.status,
    });
    return { created: true, task, request, row };
  });
}

function riskFactorsOf(a: Assessment) {
  return { reasons: a.reasons, matched_rules: a.matched_rules };
}

async function loadExisting(tx: Executor, row: RequestRow): Promise<SubmitResult> {
  const task = await findTask(tx, row.taskId);
  if (!task) throw new Error(`task ${row.taskId} of request ${row.id} is missing`);
  return { created: false, task, request: toDomain(row, await listApprovals(tx, row.id)), row };
}

/** A standing approval that covers this action, its use counted; null when none does. */
async function takeStandingApproval(
  tx: Executor,
  ruleSet: RuleSet,
  caller: AgentCaller,
  input: SubmitTaskInput,
  assessment: Assessment,
  now: Date,
): Promise<string | null> {
  if (!assessment.requires_approval || assessment.level === "critical") return null;
  const { grants, roles } = await lockActiveGrantsForAgent(tx, caller.agent, now);
  if (grants.length === 0) return null;
  const grant = matchGrant(
    ruleSet,
    grants,
    {
      agent: caller.agent,
      agent_name: input.agent_name,
      action: input.action,
      level: assessment.level,
      submitter_owner_id: caller.ownerId,
    },
    now,
    roles,
  );
  if (!grant) return null;
  await countGrantUse(tx, grant.id);
  return grant.id;
}

/** Who decides: a person (by user id; their role is read now), the agent, or the sweeper. */
export type DecisionActor =
  | { kind: "user"; userId: string }
  | { kind: "agent"; caller: AgentCaller }
  | { kind: "system" };

export interface DecisionOutcome {
  request: ApprovalRequest;
  row: RequestRow;
  task: TaskRow;
}

/**
 * Apply one command to one request, in one transaction that holds the request's row lock, so
 * concurrent decisions serialise and exactly one of two conflicting ones wins. A request past
 * its deadline is expired first (fails closed), whatever the command.
 */
export async function decideRequest(
  db: Database,
  requestId: string,
  command: Command,
  actor: DecisionActor,
  options: { ruleSet?: RuleSet } = {},
): Promise<DecisionOutcome> {
  const ruleSet = options.ruleSet ?? hitlConfig().ruleSet;
  const id = parseInput(uuidSchema, requestId);
  const result = await db.transaction(async (tx) => {
    const row = await lockRequestRow(tx, id);
    // An agent never learns whether another agent's request exists.
    if (!row || (actor.kind === "agent" && row.apiKeyId !== actor.caller.keyId)) {
      throw new ServiceError("not_found", `No request with id ${id}`);
    }
    const task = await findTask(tx, row.taskId);
    if (!task) throw new Error(`task ${row.taskId} of request ${row.id} is missing`);
    const now = await databaseNow(tx);
    const domainActor = await resolveActor(tx, actor);
    let current = toDomain(row, await listApprovals(tx, id));
    let currentRow = row;

    if (command.type !== "expire" && sweepCommand(current, now)?.type === "expire") {
      const expired = decide(current, { type: "expire" }, { kind: "system" }, now, { ruleSet });
      if (expired.ok) {
        currentRow = await persist(tx, ruleSet, current, expired, task);
        current = expired.request;
        if (!isOpenStatus(current.status)) {
          return { kind: "expired" as const, request: current, row: currentRow, task };
        }
      }
    }
    const decided = decide(current, await withCounts(tx, command, domainActor), domainActor, now, {
      ruleSet,
    });
    if (!decided.ok) {
      throw refusalError(decided.error, capitalise(decided.error.message), {
        status: current.status,
      });
    }
    const updated = await persist(tx, ruleSet, current, decided, task);
    return { kind: "decided" as const, request: decided.request, row: updated, task };
  });
  if (result.kind === "expired") {
    throw new ServiceError(
      "conflict",
      `The request expired at ${result.row.expiresAt.toISOString()}`,
      {
        status: result.request.status,
      },
    );
  }
  return { request: result.request, row: result.row, task: result.task };
}

const uuidSchema = z.uuid({ error: "expected a request id (uuid)" });

function capitalise(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

async function resolveActor(tx: Executor, actor: DecisionActor): Promise<Actor> {
  switch (actor.kind) {
    case "user":
      return { kind: "user", ...(await currentReviewer(tx, actor.userId)) };
    case "agent":
      return { kind: "agent", key_id: actor.caller.keyId };
    case "system":
      return { kind: "system" };
  }
}

async function withCounts(tx: Executor, command: Command, actor: Actor): Promise<Command> {
  if (command.type !== "claim" || actor.kind !== "user") return command;
  return { type: "claim", claimed_count: await countClaimedBy(tx, actor.id) };
}

/** Write what `decide` returned: the row, new approvals, audit events, outbox rows, NOTIFY. */
async function persist(
  tx: Executor,
  ruleSet: RuleSet,
  before: ApprovalRequest,
  result: Extract<DecideResult, { ok: true }>,
  task: TaskRow,
): Promise<RequestRow> {
  const next = result.request;
  const columns = changedColumns(before, next);
  const row = await updateRequestRow(
    tx,
    next.id,
    next.risk_level === before.risk_level
      ? columns
      : { ...columns, riskFactors: riskFactorsOf(assess(ruleSet, effectiveAction(next))) },
  );
  await insertApprovals(tx, next.id, next.approvals.slice(before.approvals.length));
  const subject: OutboxSubject = { request: next, taskId: task.id, callbackUrl: task.callbackUrl };
  const last = result.events.at(-1)?.type ?? "hitl.updated";
  if (result.outcome !== null) {
    await insertOutbox(tx, outcomeRows(subject, last));
  } else if (next.escalation_count > before.escalation_count) {
    await insertOutbox(
      tx,
      notifyRows(subject, "hitl.escalated", ruleSet.levels[next.risk_level].notify),
    );
  }
  await appendAuditEvents(
    tx,
    result.events.map((e) => ({ ...e, payload: { ...e.payload, task_id: task.id } })),
  );
  if (result.events.length > 0) {
    await notifyRequestChanged(tx, { request_id: next.id, task_id: task.id, status: next.status });
  }
  return row;
}

export interface SweepResult {
  expired: number;
  escalated: number;
}

/**
 * Expire and auto-escalate what is due, in batches. Rows are taken with FOR UPDATE SKIP
 * LOCKED, so sweepers in several instances share the work and never process a row twice.
 */
export async function sweepDueRequests(
  db: Database,
  options: { batchSize?: number; ruleSet?: RuleSet } = {},
): Promise<SweepResult> {
  const ruleSet = options.ruleSet ?? hitlConfig().ruleSet;
  const batchSize = options.batchSize ?? 100;
  const total: SweepResult = { expired: 0, escalated: 0 };
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const now = await databaseNow(tx);
      const rows = await lockDueRequests(tx, now, batchSize);
      const done: SweepResult = { expired: 0, escalated: 0 };
      let changed = 0;
      for (const row of rows) {
        const request = toDomain(row, await listApprovals(tx, row.id));
        const command = sweepCommand(request, now);
        if (!command) continue;
        const result = decide(request, command, { kind: "system" }, now, { ruleSet });
        if (!result.ok) continue;
        const task = await findTask(tx, row.taskId);
        if (!task) continue;
        await persist(tx, ruleSet, request, result, task);
        changed++;
        if (result.request.status === "expired") done.expired++;
        else if (result.request.escalation_count > request.escalation_count) done.escalated++;
      }
      return { ...done, seen: rows.length, changed };
    });
    total.expired += batch.expired;
    total.escalated += batch.escalated;
    // A short batch means nothing more is due; a batch that changed nothing would only come
    // back the same, so stop rather than spin.
    if (batch.seen < batchSize || batch.changed === 0) return total;
  }
}
