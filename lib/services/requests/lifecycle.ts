// Submit, decide and sweep: the pure core (lib/hitl) decides, this file makes each decision
// one transaction — lock the request row, re-read the actor's role, apply `decide`, write the
// request, its approvals, the audit events and the outbox rows, and NOTIFY on commit.
//
// Who may call what:
// - submitTask: an agent key (the principal is the submitter).
// - decideRequest: a person for approve, reject, escalate, quarantine, release, claim and
//   unclaim (their current role decides, inside the transaction); the submitting agent for
//   cancel (another agent's request does not exist for it); the system for expiry. The
//   operator decides nothing: the CLI acts as a named person. Returns the request's summary.
// - sweepDueRequests: the system (the in-app sweeper) or the operator (`hitl clean-expired`).
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Database, Executor } from "@/db/client";
import { auditInsert } from "@/db/queries/audit";
import { insertTogether } from "@/db/queries/batch";
import {
  countGrantUse,
  findGrantApprover,
  hasActiveGrant,
  lockActiveGrantsForKey,
} from "@/db/queries/grants";
import {
  type ApprovalRow,
  changedColumns,
  checkOpenLimit,
  claimExpiringRequests,
  countClaimedBy,
  databaseNow,
  findByIdempotencyKey,
  findTask,
  insertApprovals,
  listApprovals,
  lockDueRequests,
  lockIdempotencyKey,
  lockRequestWithTask,
  openLimitReached,
  outboxInsert,
  type RequestRow,
  requestInsert,
  requestValues,
  type TaskRow,
  taskInsert,
  toDomain,
  updateRequestRow,
} from "@/db/queries/requests";
import { lockUserRow } from "@/db/queries/users";
import type { RequestSummaryDto } from "@/lib/contract/api";
import {
  type SubmitTaskInput,
  type SubmitTaskResponse,
  submitTaskSchema,
} from "@/lib/contract/tasks";
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
  type Grant,
  isOpenStatus,
  matchGrant,
  openRequest,
  type RiskLevel,
  type RuleSet,
  sha256Hex,
  sweepCommand,
} from "@/lib/hitl";
import { urlProblem } from "@/lib/net/outbound";
import { capitalise, requestSummary, submitResponse } from "@/lib/services/dto";
import { refusalError, ServiceError } from "@/lib/services/errors";
import { recordSubmit, recordTransitions, type Transition } from "@/lib/services/insights/metrics";
import {
  type AgentPrincipal,
  currentPerson,
  type Principal,
  requireAgent,
} from "@/lib/services/principal";
import { hitlConfig } from "@/lib/services/rules/config";
import { parseInput } from "@/lib/services/validation";
import { callbackRows, completedEvent, executionResult } from "./execution";
import {
  type Decider,
  notifyRows,
  type OutboxSubject,
  slackUpdateRows,
  workflowRows,
} from "./outbox";
import { type RateLimiter, tokenBuckets } from "./rate-limit";

export interface SubmitResult {
  /** False when an Idempotency-Key retry returned the task created earlier. */
  created: boolean;
  task: SubmitTaskResponse;
}

export interface SubmitOptions {
  idempotencyKey?: string | null;
  ruleSet?: RuleSet;
  /** Open requests one agent key may have at once (default HITL_MAX_OPEN_PER_AGENT). */
  maxOpenPerAgent?: number;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

let limiter: RateLimiter | undefined;
/** Submits per agent key, per minute, in this process (HITL_MAX_SUBMITS_PER_KEY_PER_MINUTE). */
function submitLimiter(): RateLimiter {
  limiter ??= tokenBuckets(env().HITL_MAX_SUBMITS_PER_KEY_PER_MINUTE);
  return limiter;
}

/**
 * Assess an action and record it: a pending request (or one approved on arrival, by the
 * level's policy or a standing approval), its task, audit events and outbox rows, in one
 * transaction. The same Idempotency-Key with the same body returns the same task, also when
 * retries race; with another body it is refused.
 */
export async function submitTask(
  db: Database,
  principal: Principal,
  body: unknown,
  options: SubmitOptions = {},
): Promise<SubmitResult> {
  const submit = admitSubmit(principal, body, options);
  const { caller, idempotencyKey, assessment } = submit;

  // The common case — no Idempotency-Key, and no standing approval that could apply (the
  // action is approved on arrival or critical, which none may cover, or the key has no active
  // grant: one granted a moment later does not cover this submit): that one statement is the
  // whole transaction, so the key's lock for its bound is held for no round trip at all, and
  // the instant the database checked the key is its `now`.
  if (idempotencyKey === null) {
    const now = caller.seenAt ?? (await databaseNow(db));
    if (!mayUseStandingApproval(assessment) || !(await hasActiveGrant(db, caller.keyId, now))) {
      return recorded(await writeSubmit(db, submit, now, null));
    }
  }
  const outcome = await db.transaction(async (tx) => {
    if (idempotencyKey !== null) {
      // Retries with one key queue here, so the first inserts and the rest find its row.
      await lockIdempotencyKey(tx, caller.keyId, idempotencyKey);
      const existing = await findByIdempotencyKey(tx, caller.keyId, idempotencyKey);
      if (existing) {
        if (existing.requestFingerprint !== submit.fingerprint) {
          throw new ServiceError(
            "unprocessable",
            "This Idempotency-Key was already used with a different body",
            { task_id: existing.taskId },
          );
        }
        const task = await findTask(tx, existing.taskId);
        if (!task) throw new Error(`task ${existing.taskId} of request ${existing.id} is missing`);
        const grant = existing.grantId ? await findGrantApprover(tx, existing.grantId) : null;
        return { created: false, task: submitResponse(existing, task.threadId, grant) };
      }
    }
    const now = caller.seenAt ?? (await databaseNow(tx));
    const grant = await takeStandingApproval(
      tx,
      submit.ruleSet,
      caller,
      submit.input,
      assessment,
      now,
    );
    return writeSubmit(tx, submit, now, grant);
  });
  return recorded(outcome);

  /** Count a new task in the metrics, once its write has committed. */
  function recorded(result: SubmitResult & { grantId?: string | null }): SubmitResult {
    if (result.created) {
      recordSubmit({
        level: result.task.risk.level,
        autoApproved: result.task.auto_approved,
        byGrant: (result.grantId ?? null) !== null,
        rule: result.task.risk.matched_rules[0],
      });
    }
    return { created: result.created, task: result.task };
  }
}

/** A submit let in: its caller, its parsed input, and what the write needs to know. */
interface Submit {
  caller: AgentPrincipal;
  input: SubmitTaskInput;
  idempotencyKey: string | null;
  ruleSet: RuleSet;
  assessment: Assessment;
  /** The body's hash: an Idempotency-Key retry must send the same one. */
  fingerprint: string;
  taskId: string;
  threadId: string;
  /** Open requests the key may have at once. */
  limit: number;
}

/**
 * The checks a submit passes before it touches the database: an agent key, within its submits
 * a minute, a body the contract accepts, a well-formed Idempotency-Key and a callback address
 * the deployment allows; then the action's assessment.
 */
function admitSubmit(principal: Principal, body: unknown, options: SubmitOptions): Submit {
  const caller = requireAgent(principal, "submit a task");
  const waitSeconds = submitLimiter().take(caller.keyId);
  if (waitSeconds > 0) {
    const perMinute = env().HITL_MAX_SUBMITS_PER_KEY_PER_MINUTE;
    throw new ServiceError(
      "limit",
      `Too many submits: this agent key may submit ${perMinute} tasks a minute (HITL_MAX_SUBMITS_PER_KEY_PER_MINUTE); try again in ${Math.ceil(waitSeconds)} s`,
      { limit: perMinute, setting: "HITL_MAX_SUBMITS_PER_KEY_PER_MINUTE" },
      waitSeconds,
    );
  }
  const input = parseInput(submitTaskSchema, body);
  const idempotencyKey = options.idempotencyKey ?? null;
  if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw new ServiceError("invalid", "Idempotency-Key must be 1 to 200 visible ASCII characters", [
      { path: "Idempotency-Key", message: "must be 1 to 200 visible ASCII characters" },
    ]);
  }
  if (input.callback_url !== undefined) {
    const problem = urlProblem(env().HITL_CALLBACK_ALLOWED_HOSTS, input.callback_url);
    if (problem !== null) {
      throw new ServiceError("unprocessable", `callback_url: ${problem}`, [
        { path: "callback_url", message: problem },
      ]);
    }
  }
  const ruleSet = options.ruleSet ?? hitlConfig().ruleSet;
  const assessment = assess(ruleSet, input.action);
  const fingerprint = sha256Hex(canonicalJson(input));

  const taskId = randomUUID();
  return {
    caller,
    input,
    idempotencyKey,
    ruleSet,
    assessment,
    fingerprint,
    taskId,
    threadId: input.thread_id ?? `thread-${taskId}`,
    limit: options.maxOpenPerAgent ?? env().HITL_MAX_OPEN_PER_AGENT,
  };
}

/**
 * Everything the submit writes, once its instant and any standing approval are known: one
 * statement (the task, the request, its outbox rows and audit events, and the check of the
 * key's bound on open requests, which fails the statement for an agent at its bound). The
 * request's insert NOTIFYs its listeners, on commit, through its trigger.
 */
async function writeSubmit(ex: Executor, submit: Submit, now: Date, grant: Grant | null) {
  const { caller, input, idempotencyKey, ruleSet, assessment, taskId, threadId, limit } = submit;

  const grantId = grant?.id ?? null;
  const { request, events } = openRequest(ruleSet, {
    id: randomUUID(),
    workflow_id: input.workflow_id,
    action: input.action,
    assessment,
    submitter_key_id: caller.keyId,
    submitter_owner_id: caller.ownerId,
    now,
    grant_id: grantId,
    allowed_decisions: input.allowed_decisions,
  });
  const extra = {
    taskId,
    threadId,
    agentName: input.agent_name,
    priority: input.priority,
    ...riskFactorsOf(assessment),
    idempotencyKey,
    requestFingerprint: submit.fingerprint,
  };
  const callbackUrl = input.callback_url ?? null;
  const subject: OutboxSubject = { request, taskId };
  const isOpen = isOpenStatus(request.status);
  const auditRows = events.map((e) => ({
    ...e,
    payload: {
      ...e.payload,
      task_id: taskId,
      agent: caller.agent,
      agent_name: input.agent_name,
      // Who stands behind an approval on arrival by a standing approval: its grantor.
      ...(grant ? { granted_by: grant.grantor_id } : {}),
    },
  }));
  const task = { id: taskId, threadId, agentName: input.agent_name, callbackUrl };
  // Open: its graph starts in the background and waits at its gate for people. Approved on
  // arrival: nobody decides and nothing can change it, so it is executed here, in this
  // statement, its callback queued in the same commit, and no graph runs for it
  // (lib/services/requests/execution.ts).
  const executed = isOpen ? null : executedOnArrival(task, request, now);
  await withOpenLimit(
    checkOpenLimit(ex, { keyId: caller.keyId, requestId: request.id, lock: isOpen, limit }, [
      taskInsert(ex, {
        id: taskId,
        workflowId: input.workflow_id,
        threadId,
        apiKeyId: caller.keyId,
        agentName: input.agent_name,
        priority: input.priority,
        callbackUrl,
        createdAt: now,
        updatedAt: now,
        ...executed?.task,
      }),
      requestInsert(ex, request, extra),
      outboxInsert(
        ex,
        executed
          ? executed.outbox
          : [
              ...workflowRows(subject, "hitl.approval_requested"),
              ...notifyRows(subject, "hitl.approval_requested", assessment.notify),
            ],
      ),
      auditInsert(ex, [...auditRows, ...(executed?.audit ?? [])]),
    ]),
  );
  return {
    created: true,
    task: submitResponse(
      requestValues(request, extra),
      threadId,
      grantId === null ? null : await findGrantApprover(ex, grantId),
    ),
    grantId,
  };
}

/**
 * A task approved on arrival, executed at submit: the task's columns as its graph's last node
 * would have left them, its callback (no person decided it: no decider) and `workflow.completed`.
 */
function executedOnArrival(
  task: Pick<TaskRow, "id" | "threadId" | "agentName" | "callbackUrl">,
  request: ApprovalRequest,
  now: Date,
) {
  const row = {
    id: request.id,
    workflowId: request.workflow_id,
    riskLevel: request.risk_level,
    decidedBy: null,
    actionDetails: request.action,
    editedInputs: null,
  };
  const result = executionResult({ status: "approved" }, row, request.action.context ?? {});
  return {
    task: { execution: "completed", executionResult: result, startedAt: now, completedAt: now },
    outbox: callbackRows(task, row, result, { decider: null, decided_via: null }),
    audit: [completedEvent(task, row, result, now)],
  };
}

/** An agent at its bound (the database's refusal of checkOpenLimit) is told so: 429. */
async function withOpenLimit(check: Promise<void>): Promise<void> {
  try {
    await check;
  } catch (error) {
    const reached = openLimitReached(error);
    if (!reached) throw error;
    throw new ServiceError(
      "limit",
      `This agent already has ${reached.open} open requests (the limit is ${reached.limit}); wait for decisions before submitting more`,
    );
  }
}

/** Only an action that waits for approval, below critical, can be covered by a grant. */
function mayUseStandingApproval(assessment: Assessment): boolean {
  return assessment.requires_approval && assessment.level !== "critical";
}

function riskFactorsOf(a: Assessment) {
  return { reasons: a.reasons, matched_rules: a.matched_rules };
}

/** A standing approval that covers this action, its use counted; null when none does. */
async function takeStandingApproval(
  tx: Executor,
  ruleSet: RuleSet,
  caller: AgentPrincipal,
  input: SubmitTaskInput,
  assessment: Assessment,
  now: Date,
): Promise<Grant | null> {
  if (!mayUseStandingApproval(assessment)) return null;
  const { grants, roles } = await lockActiveGrantsForKey(tx, caller.keyId, now);
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
  return grant;
}

/**
 * Apply one command to one request, in one transaction that holds the request's row lock, so
 * concurrent decisions serialise and exactly one of two conflicting ones wins. A request past
 * its deadline is expired first (fails closed), whatever the command. Returns the request as
 * it now stands.
 */
export async function decideRequest(
  db: Database,
  principal: Principal,
  requestId: string,
  command: Command,
  options: {
    ruleSet?: RuleSet;
    /**
     * For a caller that decides inside its own transaction (`db` is then that transaction, and
     * this one a savepoint of it): the transitions are handed over here, for the caller to
     * record once its own commit is done, rather than recorded when the savepoint is released.
     */
    transitions?: Transition[];
  } = {},
): Promise<RequestSummaryDto> {
  const ruleSet = options.ruleSet ?? hitlConfig().ruleSet;
  const id = parseInput(uuidSchema, requestId);
  if (principal.kind === "operator") {
    throw new ServiceError(
      "forbidden",
      "The operator decides nothing on its own; act as a reviewer (the CLI's --as EMAIL)",
    );
  }
  const transitions: Transition[] = options.transitions ?? [];
  const result = await db.transaction(async (tx) => {
    const locked = await lockRequestWithTask(tx, id);
    // An agent never learns whether another agent's request exists.
    if (!locked || (principal.kind === "agent" && locked.row.apiKeyId !== principal.keyId)) {
      throw new ServiceError("not_found", `No request with id ${id}`);
    }
    const { row, task } = locked;
    const now = await databaseNow(tx);
    const { actor: domainActor, decider } = await resolveActor(tx, principal);
    const currentApprovals = await listApprovals(tx, id);
    let current = toDomain(row, currentApprovals);
    let currentRow = row;

    if (command.type !== "expire" && sweepCommand(current, now)?.type === "expire") {
      const expired = decide(current, { type: "expire" }, { kind: "system" }, now, { ruleSet });
      if (expired.ok) {
        currentRow = (
          await persist(tx, ruleSet, current, expired, task, {
            by: { kind: "system" },
            into: transitions,
          })
        ).row;
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
    const { row: updated, given } = await persist(tx, ruleSet, current, decided, task, {
      by: domainActor,
      decider,
      into: transitions,
    });
    // A decision adds approvals and never removes one: the list read above, plus these.
    const approvals = [...currentApprovals, ...given];
    return {
      kind: "decided" as const,
      request: decided.request,
      row: updated,
      summary: requestSummary(ruleSet.policies, updated, approvals),
    };
  });
  if (options.transitions === undefined) recordTransitions(transitions);
  if (result.kind === "expired") {
    throw new ServiceError(
      "conflict",
      `The request expired at ${result.row.expiresAt.toISOString()}`,
      {
        status: result.request.status,
      },
    );
  }
  return result.summary;
}

const uuidSchema = z.uuid({ error: "expected a request id (uuid)" });

/** The core's actor; for a person, also who they are by name and how they came (Decider). */
async function resolveActor(
  tx: Executor,
  principal: Exclude<Principal, { kind: "operator" }>,
): Promise<{ actor: Actor; decider: Decider | null }> {
  switch (principal.kind) {
    case "user": {
      const { reviewer, person } = await currentPerson(tx, principal.userId);
      const via = principal.via
        ? { channel: principal.via.channel, os_user: principal.via.os_user ?? null }
        : null;
      return { actor: { kind: "user", ...reviewer }, decider: { person, via } };
    }
    case "agent":
      return { actor: { kind: "agent", key_id: principal.keyId }, decider: null };
    case "system":
      return { actor: { kind: "system" }, decider: null };
  }
}

/**
 * A claim counts the reviewer's claimed requests behind their user row's lock, so two
 * concurrent claims of different requests cannot both pass "max claimed at once".
 */
async function withCounts(tx: Executor, command: Command, actor: Actor): Promise<Command> {
  if (command.type !== "claim" || actor.kind !== "user") return command;
  await lockUserRow(tx, actor.id);
  return { type: "claim", claimed_count: await countClaimedBy(tx, actor.id) };
}

/**
 * Write what `decide` returned: the row, new approvals, audit events and outbox rows. A
 * person's decision records how it was made (`decider.via`) on its approvals, its events and,
 * when it closed the request, the request itself (SPEC §8.2).
 * Returns the row and the approvals it added.
 */
async function persist(
  tx: Executor,
  ruleSet: RuleSet,
  before: ApprovalRequest,
  result: Extract<DecideResult, { ok: true }>,
  task: TaskRow,
  made: { by: Actor; decider?: Decider | null; into: Transition[] },
): Promise<{ row: RequestRow; given: ApprovalRow[] }> {
  const next = result.request;
  const decider = made.decider ?? null;
  const via = decider?.via ?? null;
  // For the metrics, once the transaction has committed.
  made.into.push({ before, after: next, events: result.events, actor: made.by });
  const columns = {
    ...changedColumns(before, next),
    ...(via && next.decided_by !== null && before.decided_by === null
      ? { decidedChannel: via.channel, decidedOsUser: via.os_user }
      : {}),
  };
  const row = await updateRequestRow(
    tx,
    next.id,
    next.risk_level === before.risk_level
      ? columns
      : { ...columns, riskFactors: riskFactorsOf(assess(ruleSet, effectiveAction(next))) },
  );
  const given = await insertApprovals(
    tx,
    next.id,
    next.approvals.slice(before.approvals.length),
    via && { channel: via.channel, osUser: via.os_user },
  );
  const subject: OutboxSubject = { request: next, taskId: task.id, decider };
  const last = result.events.at(-1)?.type ?? "hitl.updated";
  const outboxRows =
    result.outcome !== null
      ? workflowRows(subject, last)
      : next.escalation_count > before.escalation_count
        ? notifyRows(subject, "hitl.escalated", ruleSet.levels[next.risk_level].notify)
        : next.risk_level !== before.risk_level
          ? // An edit raised the level: the new level's channels hear of it.
            notifyRows(subject, "hitl.risk_raised", ruleSet.levels[next.risk_level].notify)
          : next.status === "quarantined" && before.status !== "quarantined"
            ? // Out of the queue until someone who may release it looks.
              notifyRows(subject, "hitl.quarantined", ruleSet.levels[next.risk_level].notify, {
                audience: "devops_engineer",
              })
            : [];
  // The request's Slack message follows every other change too (votes, the decision, a
  // claim): under either level, since an edit may have moved it.
  const slackRows = outboxRows.some((r) => r.channel === "slack")
    ? []
    : slackUpdateRows(subject, last, [
        ...ruleSet.levels[before.risk_level].notify,
        ...ruleSet.levels[next.risk_level].notify,
      ]);
  // One statement; the row's update has NOTIFYed its listeners through its trigger.
  await insertTogether(tx, [
    outboxInsert(tx, [...outboxRows, ...slackRows]),
    auditInsert(
      tx,
      result.events.map((e) => ({
        ...e,
        payload: { ...e.payload, task_id: task.id, ...(via ? { via } : {}) },
      })),
    ),
  ]);
  return { row, given };
}

export interface SweepResult {
  expired: number;
  escalated: number;
  /** Requests whose near deadline was announced to their level's channels. */
  warned: number;
}

/**
 * Expire and auto-escalate what is due, in batches. Rows are taken with FOR UPDATE SKIP
 * LOCKED, so sweepers in several instances share the work and never process a row twice.
 */
export async function sweepDueRequests(
  db: Database,
  principal: Principal,
  options: { batchSize?: number; ruleSet?: RuleSet } = {},
): Promise<SweepResult> {
  if (principal.kind !== "system" && principal.kind !== "operator") {
    throw new ServiceError("forbidden", "Only the sweeper or the operator may sweep");
  }
  const ruleSet = options.ruleSet ?? hitlConfig().ruleSet;
  const batchSize = options.batchSize ?? 100;
  const total: SweepResult = { expired: 0, escalated: 0, warned: 0 };
  for (;;) {
    const transitions: Transition[] = [];
    const batch = await db.transaction(async (tx) => {
      const now = await databaseNow(tx);
      const rows = await lockDueRequests(tx, now, batchSize);
      const done = { expired: 0, escalated: 0 };
      let changed = 0;
      for (const row of rows) {
        const request = toDomain(row, await listApprovals(tx, row.id));
        const command = sweepCommand(request, now);
        if (!command) continue;
        const result = decide(request, command, { kind: "system" }, now, { ruleSet });
        if (!result.ok) continue;
        const task = await findTask(tx, row.taskId);
        if (!task) continue;
        await persist(tx, ruleSet, request, result, task, {
          by: { kind: "system" },
          into: transitions,
        });
        changed++;
        if (result.request.status === "expired") done.expired++;
        else if (result.request.escalation_count > request.escalation_count) done.escalated++;
      }
      return { ...done, seen: rows.length, changed };
    });
    recordTransitions(transitions);
    total.expired += batch.expired;
    total.escalated += batch.escalated;
    // A short batch means nothing more is due; a batch that changed nothing would only come
    // back the same, so stop rather than spin.
    if (batch.seen < batchSize || batch.changed === 0) break;
  }
  total.warned = await warnExpiring(db, ruleSet, batchSize);
  return total;
}

/**
 * Announce near deadlines (claimExpiringRequests: once per deadline) to each level's
 * channels, with an audit event each, in batches.
 */
async function warnExpiring(db: Database, ruleSet: RuleSet, batchSize: number): Promise<number> {
  let warned = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const rows = await claimExpiringRequests(tx, batchSize);
      const notices = rows.flatMap((row) =>
        notifyRows(
          { request: toDomain(row, []), taskId: row.taskId },
          "hitl.expiring",
          ruleSet.levels[row.riskLevel as RiskLevel].notify,
        ),
      );
      await insertTogether(tx, [
        outboxInsert(tx, notices),
        auditInsert(
          tx,
          rows.map((row) => ({
            type: "hitl.expiry_warned",
            actor_type: "system" as const,
            actor_id: null,
            request_id: row.id,
            workflow_id: row.workflowId,
            payload: { task_id: row.taskId, expires_at: row.expiresAt.toISOString() },
          })),
        ),
      ]);
      return rows.length;
    });
    warned += n;
    if (n < batchSize) return warned;
  }
}
