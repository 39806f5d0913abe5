// What reviewers and operators read: the queue, one request with its history, a workflow's
// timeline and checkpoints. Every view takes its quorum from the core (`quorum`) through lib/services/dto.ts.
//
// Who may call what: any person (every role reads; the queue says, per row, whether they may
// approve it and why not) and the operator. Agents and the system read none of it.
import type { Database } from "@/db/client";
import { listWorkflowCheckpoints } from "@/db/queries/checkpoints";
import {
  countQueue,
  listQueue,
  listRequestEvents,
  listWorkflowEvents,
  listWorkflowRequests,
  type QueueFilter,
} from "@/db/queries/queue";
import {
  databaseNow,
  findRequestRow,
  findTask,
  listApprovals,
  listApprovalsFor,
  type RequestRow,
} from "@/db/queries/requests";
import { listPeople } from "@/db/queries/users";
import {
  type QueueQuery,
  type QueueResponse,
  queueQuerySchema,
  type RequestDetailDto,
  type WorkflowStatusDto,
  workflowStatusSchema,
} from "@/lib/contract/api";
import { authorize, can, type Reviewer, RISK_LEVELS, ROLE_RANK, ROLES } from "@/lib/hitl";
import { hitlConfig } from "./config";
import { decodeCursor, encodeCursor } from "./cursor";
import {
  approvalGiven,
  auditEventDto,
  checkpointDto,
  decisionBy,
  queueItem,
  requestDetail,
  requestOf,
  requestSummary,
} from "./dto";
import { ServiceError } from "./errors";
import { type Principal, requireViewer } from "./principal";
import { parseInput } from "./validation";

/**
 * Open requests, newest risk first, a page at a time. A person sees every open request, each
 * saying whether they may approve it now and, if not, why; with `actionable: "true"` only the
 * ones they may. The counts follow the same filters, so tabs and rows always agree.
 */
export async function getQueue(
  db: Database,
  principal: Principal,
  query: QueueQuery = {},
): Promise<QueueResponse> {
  const q = parseInput(queueQuerySchema, query);
  const reviewer = await requireViewer(db, principal, "read the queue");
  const { ruleSet } = hitlConfig();
  const { policies } = ruleSet;
  if (q.actionable === "true" && reviewer === null) {
    throw new ServiceError("invalid", "Invalid query — query.actionable: only for a reviewer", [
      { path: "query.actionable", message: "only for a reviewer" },
    ]);
  }
  const filter: Omit<QueueFilter, "statuses"> = {
    riskLevel: q.risk_level,
    agentName: q.agent,
    workflowId: q.workflow_id,
    typeContains: q.type,
    actingAs:
      q.actionable === "true" && reviewer
        ? {
            userId: reviewer.id,
            levels: RISK_LEVELS.filter((l) => can(policies, reviewer.role, "approve", l)),
            rolesAtOrBelow: ROLES.filter((r) => ROLE_RANK[r] <= ROLE_RANK[reviewer.role]),
          }
        : undefined,
  };
  // A cursor pages one query for one reader: it is signed together with both.
  const scope = JSON.stringify([
    principal.kind === "user" ? principal.userId : "operator",
    q.status ?? null,
    filter.riskLevel ?? null,
    filter.agentName ?? null,
    filter.workflowId ?? null,
    q.actionable,
  ]);
  const after = q.cursor === undefined ? null : await decodeCursor(db, q.cursor, scope);
  const statuses = q.status ? [q.status] : undefined;
  // The reads that do not depend on each other go out together (on separate connections of
  // the pool, or pipelined on PGlite's one): a page costs two round trips after the reader's.
  const [{ rows, more }, counts, now] = await Promise.all([
    listQueue(db, { ...filter, statuses }, { after, limit: q.limit }),
    countQueue(db, filter),
    databaseNow(db),
  ]);
  const approvals = await listApprovalsFor(
    db,
    rows.map((r) => r.id),
  );
  const items = rows.map((row) => {
    const given = approvals.get(row.id) ?? [];
    const summary = requestSummary(policies, row, given);
    return queueItem(summary, refusalFor(reviewer, row, given, now, ruleSet));
  });
  const last = rows.at(-1);
  return {
    items,
    next_cursor:
      more && last
        ? await encodeCursor(
            db,
            { rank: last.riskRank, createdAt: last.createdAt, id: last.id },
            scope,
          )
        : null,
    counts,
  };
}

/** Why this reader may not approve the request now (null: they may). */
function refusalFor(
  reviewer: Reviewer | null,
  row: RequestRow,
  approvals: Parameters<typeof requestOf>[1],
  now: Date,
  ruleSet: ReturnType<typeof hitlConfig>["ruleSet"],
): { message: string } | null {
  if (reviewer === null) return { message: "the operator decides nothing; a reviewer must" };
  return authorize(
    requestOf(row, approvals),
    "approve",
    { kind: "user", id: reviewer.id, role: reviewer.role },
    now,
    { ruleSet },
  );
}

export async function getRequestDetail(
  db: Database,
  principal: Principal,
  id: string,
): Promise<RequestDetailDto> {
  const reviewer = await requireViewer(db, principal, "read requests");
  const row = await findRequestRow(db, id);
  if (!row) throw new ServiceError("not_found", `No request with id ${id}`);
  const [task, given, events, now, people] = await Promise.all([
    findTask(db, row.taskId),
    listApprovals(db, id),
    listRequestEvents(db, id),
    databaseNow(db),
    listPeople(db, { ids: [row.decidedBy], approversOf: [id] }),
  ]);
  const { ruleSet } = hitlConfig();
  const refusal = refusalFor(reviewer, row, given, now, ruleSet);
  return requestDetail(ruleSet.policies, row, given, task, events, refusal, people);
}

export async function getWorkflowStatus(
  db: Database,
  principal: Principal,
  workflowId: string,
): Promise<WorkflowStatusDto> {
  await requireViewer(db, principal, "read workflows");
  const [rows, events, checkpoints] = await Promise.all([
    listWorkflowRequests(db, workflowId),
    listWorkflowEvents(db, workflowId),
    listWorkflowCheckpoints(db, workflowId),
  ]);
  if (rows.length === 0 && events.length === 0) {
    throw new ServiceError("not_found", `No workflow with id ${workflowId}`);
  }
  const counts: Record<string, number> = { total: rows.length };
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const requestIds = rows.map((r) => r.id);
  // Every approval, and everyone named (approvers, deciders, the people behind events), in
  // two queries for the whole workflow.
  const [approvals, people] = await Promise.all([
    listApprovalsFor(db, requestIds),
    listPeople(db, {
      ids: [
        ...rows.map((r) => r.decidedBy),
        ...events.map((e) => (e.actorType === "user" ? e.actorId : null)),
      ],
      approversOf: requestIds,
    }),
  ]);
  const { policies } = hitlConfig().ruleSet;
  return workflowStatusSchema.parse({
    workflow_id: workflowId,
    counts,
    started_at: rows[0]?.createdAt.toISOString() ?? null,
    last_activity_at: events.at(-1)?.at.toISOString() ?? null,
    requests: rows.map((r) => {
      const given = approvals.get(r.id) ?? [];
      return {
        ...requestSummary(policies, r, given),
        approvals_given: given.map((a) => approvalGiven(a, r, people)),
        ...decisionBy(r, people),
      };
    }),
    events: events.map((e) => ({
      ...auditEventDto(e),
      person: e.actorType === "user" && e.actorId ? (people.get(e.actorId) ?? null) : null,
    })),
    checkpoints: checkpoints.map(checkpointDto),
  });
}
