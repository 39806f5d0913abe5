// The whole Airlock data model. Designed up front so later work adds rows, not churn:
// every table the lifecycle, API, workflows and dashboard need is here.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { CHECKPOINT_STATUSES, CHECKPOINT_TYPES } from "../lib/contract/checkpoints";
import { DECISION_CHANNELS, EXECUTION_STATUSES } from "../lib/contract/tasks";
import { REQUEST_STATUSES, RISK_LEVELS, ROLES } from "../lib/hitl/types";

// Text columns with CHECK constraints rather than PostgreSQL enums: adding a value later is
// a one-line migration instead of an ALTER TYPE dance.
const inList = (column: string, values: readonly string[]) =>
  sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(", ")})`);

export const KEY_SCOPE_VALUES = ["agent", "reviewer"] as const;
/** Who disabled an account: the operator (the CLI), or a sign-in whose groups grant no role. */
export const DISABLED_BY_VALUES = ["operator", "identity_provider"] as const;
export const CHECKPOINT_TYPE_VALUES = CHECKPOINT_TYPES;
/** How a decision reached Airlock: the page, a reviewer key, Slack, or the CLI. */
export const DECISION_CHANNEL_VALUES = DECISION_CHANNELS;
export const OUTBOX_STATUS_VALUES = ["pending", "delivered", "dead"] as const;

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true });

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Stored lower-cased; sign-in and the CLI normalise before looking up.
    email: text("email").notNull(),
    name: text("name"),
    role: text("role").notNull(),
    // Null for users who only sign in through OIDC.
    passwordHash: text("password_hash"),
    disabledAt: ts("disabled_at"),
    // Set with disabled_at: the identity provider re-enables only what it disabled itself.
    // Null on a disabled row means the operator (rows disabled before this column existed).
    disabledBy: text("disabled_by"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    check("users_role_check", inList("role", ROLES)),
    check(
      "users_disabled_by_check",
      sql`disabled_by IS NULL OR (disabled_at IS NOT NULL AND ${inList("disabled_by", DISABLED_BY_VALUES)})`,
    ),
  ],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    scope: text("scope").notNull(),
    // The agent's name for agent keys (what grants and the queue show); a label for
    // reviewer keys.
    name: text("name").notNull(),
    // First characters of the key, shown in lists so people can tell keys apart.
    prefix: text("prefix").notNull(),
    // sha256 of the whole key: keys are 256 random bits, so a fast hash is enough and
    // lets a request find its key by index in constant time.
    keyHash: text("key_hash").notNull(),
    // Agent keys: the user who owns the agent (four-eyes: never approves its requests).
    // Reviewer keys: the user the key acts as.
    userId: uuid("user_id").references(() => users.id),
    // Signs the webhooks sent to this agent; needed in clear to compute the HMAC.
    webhookSecret: text("webhook_secret"),
    createdBy: uuid("created_by").references(() => users.id),
    createdAt: createdAt(),
    lastUsedAt: ts("last_used_at"),
    revokedAt: ts("revoked_at"),
    // Reviewer keys may expire (`keys create --user E --expires-in 30d`); null: never.
    expiresAt: ts("expires_at"),
  },
  (t) => [
    uniqueIndex("api_keys_key_hash_key").on(t.keyHash),
    index("api_keys_name_idx").on(t.name),
    // Grants and the queue name agents: one active agent key per name, whatever its case.
    uniqueIndex("api_keys_active_agent_name_key")
      .on(sql`lower(${t.name})`)
      .where(sql`scope = 'agent' AND revoked_at IS NULL`),
    check("api_keys_scope_check", inList("scope", KEY_SCOPE_VALUES)),
    check("api_keys_reviewer_has_user", sql`scope <> 'reviewer' OR user_id IS NOT NULL`),
    // An agent key without an owner would switch four-eyes off (SPEC §8).
    check("api_keys_agent_has_owner", sql`scope <> 'agent' OR user_id IS NOT NULL`),
  ],
);

// A task is one submission: the graph run that carries the action to execution.
export const tasks = pgTable(
  "tasks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workflowId: text("workflow_id").notNull(),
    threadId: text("thread_id").notNull(),
    apiKeyId: uuid("api_key_id").references(() => apiKeys.id),
    agentName: text("agent_name").notNull(),
    priority: text("priority").notNull().default("normal"),
    callbackUrl: text("callback_url"),
    execution: text("execution").notNull().default("waiting"),
    executionResult: jsonb("execution_result"),
    resumeCount: integer("resume_count").notNull().default(0),
    // When its graph first reached the gate (or went through it), and when it resumed past it.
    startedAt: ts("started_at"),
    resumedAt: ts("resumed_at"),
    completedAt: ts("completed_at"),
    // Who is driving the graph now (lib/jobs/workflow.ts), until when: one driver per
    // task, across instances, without a row lock held while the graph runs.
    leaseToken: uuid("lease_token"),
    leaseUntil: ts("lease_until"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("tasks_workflow_idx").on(t.workflowId, t.createdAt),
    // thread_id is the agent's name for its thread, so it is unique only per key.
    index("tasks_thread_idx").on(t.apiKeyId, t.threadId),
    index("tasks_api_key_idx").on(t.apiKeyId, t.createdAt),
    // Recovery: the graphs that have not finished.
    index("tasks_unfinished_idx").on(t.createdAt).where(sql`execution IN ('waiting', 'running')`),
    check("tasks_execution_check", inList("execution", EXECUTION_STATUSES)),
  ],
);

// Every column of the seeds' approval_requests, plus what binding, quorum, escalation,
// claims and idempotency need. Maps one to one onto lib/hitl's ApprovalRequest (its
// approvals are the child table below).
export const approvalRequests = pgTable(
  "approval_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => tasks.id),
    workflowId: text("workflow_id").notNull(),
    threadId: text("thread_id").notNull(),
    agentName: text("agent_name").notNull(),
    // The submitting key, and its owner copied at submit time for the four-eyes check.
    apiKeyId: uuid("api_key_id")
      .notNull()
      .references(() => apiKeys.id),
    submittedByUserId: uuid("submitted_by_user_id").references(() => users.id),

    // The action as submitted (never changed) and its searchable parts.
    actionType: text("action_type").notNull(),
    actionOperation: text("action_operation"),
    actionEnvironment: text("action_environment"),
    actionResourceType: text("action_resource_type"),
    actionDescription: text("action_description").notNull().default(""),
    actionDetails: jsonb("action_details").notNull(),
    // Inputs as a reviewer edited them (what the agent receives), or null.
    editedInputs: jsonb("edited_inputs"),
    // Hash of the action as reviewers see it now; approvals are bound to it.
    contentHash: text("content_hash").notNull(),
    // What the agent's own protocol accepts back (SPEC §5): a subset of approve, edit, reject.
    allowedDecisions: text("allowed_decisions")
      .array()
      .notNull()
      .default(sql`'{approve,edit,reject}'::text[]`),
    // Incremented by every edit: an approval counts only for the generation it was given in,
    // so editing back to earlier content never revives approvals an edit voided.
    editGeneration: integer("edit_generation").notNull().default(0),

    riskLevel: text("risk_level").notNull(),
    // low=0 … critical=3, so "newest risk first" is an index scan, not a CASE sort.
    riskRank: smallint("risk_rank").notNull(),
    riskScore: doublePrecision("risk_score").notNull(),
    // { reasons, matched_rules } as the assessor gave them.
    riskFactors: jsonb("risk_factors").notNull(),
    ruleSetVersion: text("rule_set_version").notNull(),

    status: text("status").notNull(),
    // Why it stands as it does: the rejection (sent to the agent), quarantine, cancellation.
    statusReason: text("status_reason"),
    priority: text("priority").notNull().default("normal"),
    // The level's policy when submitted, so a configuration change never moves a request.
    requiredApprovals: smallint("required_approvals").notNull(),
    requiredRole: text("required_role").notNull(),
    requiresJustification: boolean("requires_justification").notNull(),
    timeoutMinutes: integer("timeout_minutes").notNull(),
    escalationCount: smallint("escalation_count").notNull().default(0),
    // The automatic ones among them: the level's max_escalations bounds only these.
    autoEscalationCount: smallint("auto_escalation_count").notNull().default(0),
    escalatedTo: text("escalated_to"),
    escalatedAt: ts("escalated_at"),
    expiryExtended: boolean("expiry_extended").notNull().default(false),
    // The deadline the "expires soon" notification was sent for: once per deadline (an
    // escalation's fresh timeout gets its own).
    expiryWarnedFor: ts("expiry_warned_for"),
    autoEscalateAt: ts("auto_escalate_at"),
    claimedBy: uuid("claimed_by").references(() => users.id),
    claimedAt: ts("claimed_at"),

    // The final decision (individual approvals live in `approvals`). decided_by is the last
    // approver or the rejecter; null when the system or the agent closed the request.
    decidedBy: uuid("decided_by").references(() => users.id),
    // How decided_by decided (SPEC §8.2), and from the CLI the OS user who ran it; null when
    // nobody did, or for decisions made before channels were recorded.
    decidedChannel: text("decided_channel"),
    decidedOsUser: text("decided_os_user"),
    approverRole: text("approver_role"),
    approvalJustification: text("approval_justification"),
    rejectionReason: text("rejection_reason"),
    autoApproved: boolean("auto_approved").notNull().default(false),
    grantId: uuid("grant_id"),

    idempotencyKey: text("idempotency_key"),
    // Hash of the submitted body: the same Idempotency-Key with another body is refused.
    requestFingerprint: text("request_fingerprint"),

    version: integer("version").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    expiresAt: ts("expires_at").notNull(),
    decidedAt: ts("decided_at"),
  },
  (t) => [
    uniqueIndex("approval_requests_task_key").on(t.taskId),
    uniqueIndex("approval_requests_idempotency_key")
      .on(t.apiKeyId, t.idempotencyKey)
      .where(sql`idempotency_key IS NOT NULL`),
    // Queue: per tab, newest risk first, keyset-paginated on (risk_rank, created_at, id).
    index("approval_requests_queue_idx").on(
      t.status,
      t.riskRank.desc(),
      t.createdAt.desc(),
      t.id.desc(),
    ),
    // Open requests across tabs (the default queue view).
    index("approval_requests_open_idx")
      .on(t.riskRank.desc(), t.createdAt.desc(), t.id.desc())
      .where(sql`status IN ('pending', 'escalated', 'quarantined')`),
    // Recently decided tab.
    index("approval_requests_decided_idx")
      .on(t.decidedAt.desc(), t.id.desc())
      .where(sql`decided_at IS NOT NULL`),
    // Insights (db/queries/insights.ts): requests created per level over a window, and what
    // closed in a window — times to decision, expiries, outcomes per agent, rejections per
    // person — each read from the index alone, however long the history behind the window.
    index("approval_requests_created_idx").on(t.createdAt, t.riskRank),
    index("approval_requests_closed_idx")
      .on(t.decidedAt, t.riskRank, t.status, t.autoApproved, t.createdAt, t.agentName, t.decidedBy)
      .where(sql`decided_at IS NOT NULL`),
    // Sweeper: what is due to expire or auto-escalate.
    index("approval_requests_expiry_idx")
      .on(t.expiresAt)
      .where(sql`status IN ('pending', 'escalated', 'quarantined')`),
    index("approval_requests_auto_escalate_idx")
      .on(t.autoEscalateAt)
      .where(sql`status IN ('pending', 'escalated') AND auto_escalate_at IS NOT NULL`),
    // A workflow's requests in order, a page at a time (its page, the queue's workflow filter):
    // with the id, a page's ids are read from the index alone and in exactly the keyset's order.
    index("approval_requests_workflow_idx").on(t.workflowId, t.createdAt, t.id),
    index("approval_requests_api_key_open_idx")
      .on(t.apiKeyId)
      .where(sql`status IN ('pending', 'escalated', 'quarantined')`),
    index("approval_requests_claimed_idx")
      .on(t.claimedBy)
      .where(sql`claimed_by IS NOT NULL AND status IN ('pending', 'escalated', 'quarantined')`),
    check("approval_requests_status_check", inList("status", REQUEST_STATUSES)),
    check("approval_requests_risk_level_check", inList("risk_level", RISK_LEVELS)),
    check("approval_requests_required_role_check", inList("required_role", ROLES)),
    check("approval_requests_risk_score_check", sql`risk_score >= 0 AND risk_score <= 1`),
    check(
      "approval_requests_decided_channel_check",
      sql`decided_channel IS NULL OR ${inList("decided_channel", DECISION_CHANNEL_VALUES)}`,
    ),
    check(
      "approval_requests_decided_os_user_check",
      sql`decided_os_user IS NULL OR decided_channel = 'cli'`,
    ),
  ],
);

// One row per approval given. A person counts once per edit generation: the same person may
// approve again only after an edit (a new generation; the quorum restarts).
export const approvals = pgTable(
  "approvals",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    requestId: uuid("request_id")
      .notNull()
      .references(() => approvalRequests.id),
    approverId: uuid("approver_id")
      .notNull()
      .references(() => users.id),
    // The approver's role at the moment of approving.
    approverRole: text("approver_role").notNull(),
    justification: text("justification"),
    // What the reviewer saw and under which rules: an approval is bound to both.
    contentHash: text("content_hash").notNull(),
    // The request's edit generation when given: it counts only while that generation stands.
    generation: integer("generation").notNull().default(0),
    ruleSetVersion: text("rule_set_version").notNull(),
    // How it was given (SPEC §8.2), and from the CLI the OS user who ran it; null for
    // approvals given before channels were recorded.
    channel: text("channel"),
    osUser: text("os_user"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("approvals_vote_key").on(t.requestId, t.approverId, t.generation),
    index("approvals_request_idx").on(t.requestId, t.createdAt),
    // Insights: approvals given per person over a window.
    index("approvals_created_idx").on(t.createdAt, t.approverId),
    check("approvals_role_check", inList("approver_role", ROLES)),
    check(
      "approvals_channel_check",
      sql`channel IS NULL OR ${inList("channel", DECISION_CHANNEL_VALUES)}`,
    ),
    check("approvals_os_user_check", sql`os_user IS NULL OR channel = 'cli'`),
  ],
);

// Append-only and hash-chained (SPEC §8), without a lock that writers share: an event is
// inserted unsealed (no seq, no hashes) by the transaction that causes it, stamped with that
// transaction's id; the sealer (lib/jobs/sealer.ts) later numbers it and links it into the
// chain, hash = sha256(prev_hash + canonical(event)), where the event is its seq and content.
// `id` is the order of insertion; `seq` the order of the chain, which has no sequence behind
// it, so a deleted row leaves a visible gap. The trigger of 0001 (rewritten in 0004) refuses
// every change but that one seal.
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => "xid8" });

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    xid: xid8("xid").notNull().default(sql`pg_current_xact_id()`),
    seq: bigint("seq", { mode: "number" }),
    type: text("type").notNull(),
    at: timestamp("at", { withTimezone: true })
      .notNull()
      .default(sql`date_trunc('milliseconds', now())`),
    actorType: text("actor_type").notNull(),
    actorId: text("actor_id"),
    requestId: uuid("request_id"),
    workflowId: text("workflow_id"),
    payload: jsonb("payload").notNull(),
    prevHash: text("prev_hash"),
    hash: text("hash"),
    sealedAt: timestamp("sealed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("audit_events_seq_key").on(t.seq),
    // What the sealer takes next, in the order it seals: by transaction, then by insertion.
    index("audit_events_unsealed_idx").on(t.xid, t.id).where(sql`seq IS NULL`),
    index("audit_events_workflow_idx").on(t.workflowId, t.id),
    index("audit_events_request_idx").on(t.requestId, t.id),
    index("audit_events_type_idx").on(t.type, t.id),
    check(
      "audit_events_actor_type_check",
      inList("actor_type", ["user", "agent", "operator", "system"]),
    ),
    check(
      "audit_events_sealed_check",
      sql`(seq IS NULL) = (hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL) AND (seq IS NULL) = (sealed_at IS NULL)`,
    ),
  ],
);

// The chain's head, written by the sealer in the transaction that seals: it lets `audit
// verify` notice sealed events cut off the end of the log.
export const auditHead = pgTable(
  "audit_head",
  {
    id: smallint("id").primaryKey().default(1),
    seq: bigint("seq", { mode: "number" }).notNull(),
    hash: text("hash").notNull(),
  },
  () => [check("audit_head_single_row", sql`id = 1`)],
);

// Seed 002's execution_checkpoints: named, typed, sequenced state an agent saves per action.
export const executionCheckpoints = pgTable(
  "execution_checkpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    correlationId: text("correlation_id"),
    actionId: uuid("action_id")
      .notNull()
      .references(() => approvalRequests.id),
    runId: uuid("run_id"),
    checkpointName: text("checkpoint_name").notNull(),
    checkpointType: text("checkpoint_type").notNull(),
    checkpointData: jsonb("checkpoint_data").notNull(),
    sequenceNumber: integer("sequence_number").notNull(),
    status: text("status").notNull().default("active"),
    expiresAt: ts("expires_at"),
    resumedAt: ts("resumed_at"),
    resumedBy: text("resumed_by"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("execution_checkpoints_seq_key").on(t.actionId, t.checkpointName, t.sequenceNumber),
    index("execution_checkpoints_action_idx").on(t.actionId, t.sequenceNumber),
    index("execution_checkpoints_expiry_idx")
      .on(t.expiresAt)
      .where(sql`status = 'active' AND expires_at IS NOT NULL`),
    check("execution_checkpoints_type_check", inList("checkpoint_type", CHECKPOINT_TYPE_VALUES)),
    check("execution_checkpoints_status_check", inList("status", CHECKPOINT_STATUSES)),
  ],
);

// Written in the same transaction as the change it reports; delivered afterwards with
// retries. kind: 'webhook' (agent callback, written by the graph's last node), 'notify'
// (per-level channel), 'workflow' (bring the task's graph up to where its request stands:
// written by the submit and by the decision that closes it). The row's id is the delivery
// id, stable across retries (Airlock-Delivery header).
export const outbox = pgTable(
  "outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind").notNull(),
    channel: text("channel"),
    requestId: uuid("request_id"),
    taskId: uuid("task_id"),
    eventType: text("event_type").notNull(),
    payload: jsonb("payload").notNull(),
    targetUrl: text("target_url"),
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: ts("next_attempt_at").notNull().defaultNow(),
    lastError: text("last_error"),
    createdAt: createdAt(),
    deliveredAt: ts("delivered_at"),
  },
  (t) => [
    // What a worker takes next: by kind, since rows of kinds no worker handles yet wait.
    index("outbox_due_idx").on(t.kind, t.nextAttemptAt).where(sql`status = 'pending'`),
    index("outbox_request_idx").on(t.requestId),
    // A request's callback is sent once, however often its graph's last node runs.
    uniqueIndex("outbox_webhook_request_key").on(t.requestId).where(sql`kind = 'webhook'`),
    // Recovery: does the task already have a drive waiting?
    index("outbox_workflow_task_idx")
      .on(t.taskId)
      .where(sql`kind = 'workflow' AND status = 'pending'`),
    check("outbox_status_check", inList("status", OUTBOX_STATUS_VALUES)),
  ],
);

// Standing approvals: "agent X may run actions matching DEPLOY in staging, 20 times, for
// two hours". Never for critical actions; never beyond the grantor's own rights.
export const standingApprovals = pgTable(
  "standing_approvals",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    grantorId: uuid("grantor_id")
      .notNull()
      .references(() => users.id),
    grantorRole: text("grantor_role").notNull(),
    // The agent key the grant covers; `agent` is its name as the grantor typed it. Bound to
    // the key, so a key created later under the same name inherits nothing.
    agentKeyId: uuid("agent_key_id")
      .notNull()
      .references(() => apiKeys.id),
    agent: text("agent").notNull(),
    agentName: text("agent_name"),
    typePattern: text("type_pattern").notNull(),
    environment: text("environment"),
    maxLevel: text("max_level").notNull(),
    maxUses: integer("max_uses").notNull(),
    uses: integer("uses").notNull().default(0),
    reason: text("reason").notNull(),
    createdAt: createdAt(),
    expiresAt: ts("expires_at").notNull(),
    revokedAt: ts("revoked_at"),
    revokedBy: uuid("revoked_by").references(() => users.id),
  },
  (t) => [
    index("standing_approvals_agent_idx")
      .on(t.agentKeyId, t.expiresAt)
      .where(sql`revoked_at IS NULL`),
    check("standing_approvals_max_level_check", sql`max_level IN ('low', 'medium', 'high')`),
    check("standing_approvals_uses_check", sql`uses >= 0 AND uses <= max_uses`),
  ],
);

// Secrets the server generates for itself and every instance shares (e.g. the key that signs
// queue cursors): made once, on first use, so nothing needs configuring.
export const serverSecrets = pgTable("server_secrets", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  createdAt: createdAt(),
});

// How a person signs in through an identity provider: found by (provider, subject), never by
// email alone, so an IdP account cannot take over a local account that shares its address.
export const userIdentities = pgTable(
  "user_identities",
  {
    provider: text("provider").notNull(),
    subject: text("subject").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    lastSignInAt: ts("last_sign_in_at"),
  },
  (t) => [
    uniqueIndex("user_identities_key").on(t.provider, t.subject),
    index("user_identities_user_idx").on(t.userId),
  ],
);

// Failed sign-ins per account and per address in a fixed window: the rate limit every
// instance shares.
export const signInFailures = pgTable("sign_in_failures", {
  key: text("key").primaryKey(),
  windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
  failures: integer("failures").notNull(),
});

// The Slack message that announced a request (chat.postMessage's channel and ts), so each
// later change of the request updates that message (chat.update) instead of posting again.
export const slackMessages = pgTable("slack_messages", {
  requestId: uuid("request_id")
    .primaryKey()
    .references(() => approvalRequests.id),
  channel: text("channel").notNull(),
  ts: text("ts").notNull(),
  postedAt: ts("posted_at").notNull().defaultNow(),
  updatedAt: ts("updated_at"),
});
