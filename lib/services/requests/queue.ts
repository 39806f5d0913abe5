// What reviewers and operators read: the queue, one request with its history, a workflow's
// requests, timeline and checkpoints a page at a time. Every view takes its quorum from the
// core (`quorum`) through lib/services/dto.ts.
//
// Who may call what: any person (every role reads; the queue says, per row, whether they may
// approve it and why not) and the operator. Agents and the system read none of it.
import type { Database } from "@/db/client";
import type { AuditRow } from "@/db/queries/audit";
import { countWorkflowCheckpoints, listWorkflowCheckpoints } from "@/db/queries/checkpoints";
import {
  countQueue,
  listQueue,
  listRequestEvents,
  listWorkflowEvents,
  listWorkflowRequests,
  type QueueFilter,
  tallyWorkflowEvents,
  tallyWorkflowRequests,
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
  WORKFLOW_PAGE_MAX,
  type WorkflowPageDto,
  type WorkflowPageQuery,
  type WorkflowStatusDto,
  workflowPageQuerySchema,
  workflowPageSchema,
  workflowStatusSchema,
} from "@/lib/contract/api";
import { authorize, can, type Reviewer, RISK_LEVELS, ROLE_RANK, ROLES } from "@/lib/hitl";
import {
  approvalGiven,
  auditEventDto,
  checkpointDto,
  decisionBy,
  queueItem,
  requestDetail,
  requestOf,
  requestSummary,
} from "@/lib/services/dto";
import { ServiceError } from "@/lib/services/errors";
import { type Principal, requireViewer } from "@/lib/services/principal";
import { hitlConfig } from "@/lib/services/rules/config";
import { parseInput } from "@/lib/services/validation";
import { decodeCursor, encodeCursor } from "./cursor";
import { decodeWorkflowCursor, encodeWorkflowCursor } from "./workflow-cursor";

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

/**
 * A workflow at a glance: its counts, first request and last activity (the whole workflow's),
 * and the first page of each of its lists with a cursor for the rest (getWorkflowPage): the
 * oldest requests, the latest events, the first checkpoints. An agent decides how many of each
 * there are, so no answer carries more than a page of any.
 */
export async function getWorkflowStatus(
  db: Database,
  principal: Principal,
  workflowId: string,
): Promise<WorkflowStatusDto> {
  await requireViewer(db, principal, "read workflows");
  const limit = WORKFLOW_PAGE_MAX;
  const [requests, events, checkpoints, requestTally, eventTally, checkpointCount] =
    await Promise.all([
      listWorkflowRequests(db, workflowId, { after: null, limit }),
      listWorkflowEvents(db, workflowId, { before: null, limit }),
      listWorkflowCheckpoints(db, workflowId, { after: null, limit }),
      tallyWorkflowRequests(db, workflowId),
      tallyWorkflowEvents(db, workflowId),
      countWorkflowCheckpoints(db, workflowId),
    ]);
  const total = Object.values(requestTally.byStatus).reduce((sum, n) => sum + n, 0);
  if (total === 0 && eventTally.count === 0) {
    throw new ServiceError("not_found", `No workflow with id ${workflowId}`);
  }
  const described = await describeWorkflowItems(db, requests.rows, events.rows);
  return workflowStatusSchema.parse({
    workflow_id: workflowId,
    counts: { total, ...requestTally.byStatus },
    started_at: requestTally.startedAt?.toISOString() ?? null,
    last_activity_at: eventTally.lastAt?.toISOString() ?? null,
    requests: described.requests,
    events: described.events,
    checkpoints: checkpoints.rows.map(checkpointDto),
    totals: { requests: total, events: eventTally.count, checkpoints: checkpointCount },
    cursors: {
      requests: requests.next && encodeWorkflowCursor("requests", requests.next),
      events: events.next && encodeWorkflowCursor("events", events.next),
      checkpoints: checkpoints.next && encodeWorkflowCursor("checkpoints", checkpoints.next),
    },
  });
}

/**
 * The next page of one of a workflow's lists, after the cursor the answer before it gave (for
 * the events, the page before it): at most WORKFLOW_PAGE_MAX items, and the cursor after them.
 */
export async function getWorkflowPage(
  db: Database,
  principal: Principal,
  query: WorkflowPageQuery,
): Promise<WorkflowPageDto> {
  await requireViewer(db, principal, "read workflows");
  const q = parseInput(workflowPageQuerySchema, query);
  const limit = WORKFLOW_PAGE_MAX;
  switch (q.list) {
    case "requests": {
      const after = decodeWorkflowCursor("requests", q.cursor);
      const page = await listWorkflowRequests(db, q.workflow_id, { after, limit });
      const { requests } = await describeWorkflowItems(db, page.rows, []);
      return workflowPageSchema.parse({
        list: q.list,
        items: requests,
        next_cursor: page.next && encodeWorkflowCursor("requests", page.next),
      });
    }
    case "events": {
      const before = decodeWorkflowCursor("events", q.cursor);
      const page = await listWorkflowEvents(db, q.workflow_id, { before, limit });
      const { events } = await describeWorkflowItems(db, [], page.rows);
      return workflowPageSchema.parse({
        list: q.list,
        items: events,
        next_cursor: page.next && encodeWorkflowCursor("events", page.next),
      });
    }
    case "checkpoints": {
      const after = decodeWorkflowCursor("checkpoints", q.cursor);
      const page = await listWorkflowCheckpoints(db, q.workflow_id, { after, limit });
      return workflowPageSchema.parse({
        list: q.list,
        items: page.rows.map(checkpointDto),
        next_cursor: page.next && encodeWorkflowCursor("checkpoints", page.next),
      });
    }
  }
}

/**
 * A workflow's requests with who approved and who closed each, and its events with the person
 * behind each: every approval and everyone named, in two queries for the lot.
 */
async function describeWorkflowItems(db: Database, rows: RequestRow[], events: AuditRow[]) {
  const requestIds = rows.map((r) => r.id);
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
  return {
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
  };
}
