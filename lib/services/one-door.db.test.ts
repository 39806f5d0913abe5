// One door: every service checks who may call it, whoever calls it (route, server action,
// CLI, workflow). Each row calls a service as a principal that may not act, and expects a
// refusal that writes nothing; the last rows show the same services working for those who may.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execRows } from "@/db/client";
import { sharedDrive } from "@/lib/jobs/workflow";
import { createApiKey, listApiKeys, revokeApiKey } from "@/lib/services/accounts/keys";
import { actAs, addUser, listUsers, setUserRole } from "@/lib/services/accounts/users";
import { verifyAuditLog } from "@/lib/services/audit/audit";
import {
  createStandingApproval,
  listStandingApprovals,
  revokeStandingApproval,
} from "@/lib/services/grants/grants";
import {
  cancelCheckpoint,
  expireCheckpoints,
  getLatestCheckpoint,
  listCheckpoints,
  markCheckpointResumed,
  saveCheckpoint,
} from "@/lib/services/requests/checkpoints";
import { decideRequest, submitTask, sweepDueRequests } from "@/lib/services/requests/lifecycle";
import {
  getQueue,
  getRequestDetail,
  getWorkflowPage,
  getWorkflowStatus,
} from "@/lib/services/requests/queue";
import { getTask, listThreadTasks, resumeTask } from "@/lib/services/requests/tasks";
import { encodeWorkflowCursor } from "@/lib/services/requests/workflow-cursor";
import {
  ACTIONS,
  createFixture,
  databaseDigest,
  type Fixture,
  sealEverything,
  TEST_OPERATOR,
  taskBody,
} from "@/test-support/services";
import { ServiceError } from "./errors";
import { type Principal, SYSTEM } from "./principal";

describe("every service checks its caller", () => {
  let f: Fixture;
  let ids: { request: string; task: string; checkpoint: string; grant: string; key: string };
  let disabled: Principal;

  beforeAll(async () => {
    f = await createFixture();
    const { task } = await submitTask(
      f.t.db,
      f.alpha,
      taskBody(ACTIONS.high, { thread_id: "t-1" }),
    );
    const checkpoint = await saveCheckpoint(f.t.db, f.alpha, task.approval_request_id, {
      name: "step",
      type: "state",
      data: {},
    });
    const grant = await createStandingApproval(f.t.db, f.as.lead, {
      agent: "alpha",
      type_pattern: "deploy",
      environment: "staging",
      max_uses: 5,
      expires_in_minutes: 60,
      reason: "release day",
    });
    const key = await createApiKey(f.t.db, TEST_OPERATOR, {
      agent: "gamma",
      owner: "dev@test.local",
    });
    ids = {
      request: task.approval_request_id,
      task: task.task_id,
      checkpoint: checkpoint.checkpoint_id,
      grant: grant.id,
      key: key.id,
    };
    const gone = await addUser(f.t.db, TEST_OPERATOR, {
      email: "gone@test.local",
      role: "devops_engineer",
    });
    await execRows(f.t.db, sql`UPDATE users SET disabled_at = now() WHERE id = ${gone.id}`);
    disabled = { kind: "user", userId: gone.id };
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  type Case = [
    string,
    () => Principal,
    (p: Principal) => Promise<unknown>,
    "forbidden" | "not_found",
  ];
  const approve = (p: Principal) =>
    decideRequest(f.t.db, p, ids.request, { type: "approve", justification: "x" });
  const grantBody = {
    agent: "alpha",
    type_pattern: "deploy",
    environment: "staging",
    max_uses: 1,
    expires_in_minutes: 5,
    reason: "x",
  };
  const cases: Case[] = [
    [
      "submitTask as a person",
      () => f.as.ops,
      (p) => submitTask(f.t.db, p, taskBody()),
      "forbidden",
    ],
    [
      "submitTask as the operator",
      () => TEST_OPERATOR,
      (p) => submitTask(f.t.db, p, taskBody()),
      "forbidden",
    ],
    [
      "submitTask as the system",
      () => SYSTEM,
      (p) => submitTask(f.t.db, p, taskBody()),
      "forbidden",
    ],
    ["approve as the operator", () => TEST_OPERATOR, approve, "forbidden"],
    ["approve as the submitting agent", () => f.alpha, approve, "forbidden"],
    ["approve as another agent", () => f.beta, approve, "not_found"],
    ["approve as a viewer", () => f.as.viewer, approve, "forbidden"],
    ["approve a high request as a developer", () => f.as.dev, approve, "forbidden"],
    ["approve as the key's owner", () => f.as.owner, approve, "forbidden"],
    ["approve as a disabled user", () => disabled, approve, "forbidden"],
    [
      "cancel as a person",
      () => f.as.ops,
      (p) => decideRequest(f.t.db, p, ids.request, { type: "cancel" }),
      "forbidden",
    ],
    [
      "cancel as another agent",
      () => f.beta,
      (p) => decideRequest(f.t.db, p, ids.request, { type: "cancel" }),
      "not_found",
    ],
    ["sweep as an agent", () => f.alpha, (p) => sweepDueRequests(f.t.db, p), "forbidden"],
    ["sweep as a person", () => f.as.ops, (p) => sweepDueRequests(f.t.db, p), "forbidden"],
    [
      "expire checkpoints as a person",
      () => f.as.ops,
      (p) => expireCheckpoints(f.t.db, p),
      "forbidden",
    ],
    ["read another agent's task", () => f.beta, (p) => getTask(f.t.db, p, ids.task), "not_found"],
    ["read a task as the system", () => SYSTEM, (p) => getTask(f.t.db, p, ids.task), "forbidden"],
    [
      "read a task as a disabled user",
      () => disabled,
      (p) => getTask(f.t.db, p, ids.task),
      "forbidden",
    ],
    [
      "resume as a person",
      () => f.as.ops,
      async (p) => resumeTask(f.t.db, p, ids.task, sharedDrive(await f.workflows())),
      "forbidden",
    ],
    [
      "resume as the operator",
      () => TEST_OPERATOR,
      async (p) => resumeTask(f.t.db, p, ids.task, sharedDrive(await f.workflows())),
      "forbidden",
    ],
    [
      "resume another agent's task",
      () => f.beta,
      async (p) => resumeTask(f.t.db, p, ids.task, sharedDrive(await f.workflows())),
      "not_found",
    ],
    [
      "list a thread as a person",
      () => f.as.ops,
      (p) => listThreadTasks(f.t.db, p, "t-1"),
      "forbidden",
    ],
    [
      "save a checkpoint as a person",
      () => f.as.ops,
      (p) => saveCheckpoint(f.t.db, p, ids.request, { name: "x", type: "state", data: {} }),
      "forbidden",
    ],
    [
      "save a checkpoint on another agent's action",
      () => f.beta,
      (p) => saveCheckpoint(f.t.db, p, ids.request, { name: "x", type: "state", data: {} }),
      "not_found",
    ],
    [
      "list another agent's checkpoints",
      () => f.beta,
      (p) => listCheckpoints(f.t.db, p, ids.request),
      "not_found",
    ],
    [
      "read checkpoints as the system",
      () => SYSTEM,
      (p) => getLatestCheckpoint(f.t.db, p, ids.request, "step"),
      "forbidden",
    ],
    [
      "resume a checkpoint as a person",
      () => f.as.ops,
      (p) => markCheckpointResumed(f.t.db, p, ids.request, ids.checkpoint),
      "forbidden",
    ],
    [
      "cancel another agent's checkpoint",
      () => f.beta,
      (p) => cancelCheckpoint(f.t.db, p, ids.request, ids.checkpoint),
      "not_found",
    ],
    [
      "create a key as an agent",
      () => f.alpha,
      (p) => createApiKey(f.t.db, p, { agent: "delta", owner: "dev@test.local" }),
      "forbidden",
    ],
    [
      "create a key as a role that does not manage keys",
      () => f.as.lead,
      (p) => createApiKey(f.t.db, p, { agent: "delta" }),
      "forbidden",
    ],
    [
      "create an agent key owned by someone else",
      () => f.as.ops,
      (p) => createApiKey(f.t.db, p, { agent: "delta", owner: "dev@test.local" }),
      "forbidden",
    ],
    [
      "create a reviewer key acting as someone else",
      () => f.as.ops,
      (p) => createApiKey(f.t.db, p, { user: "lead@test.local" }),
      "forbidden",
    ],
    [
      "revoke a key as a developer",
      () => f.as.dev,
      (p) => revokeApiKey(f.t.db, p, ids.key),
      "forbidden",
    ],
    [
      "revoke a key as an agent",
      () => f.alpha,
      (p) => revokeApiKey(f.t.db, p, ids.key),
      "forbidden",
    ],
    ["list keys as a tech lead", () => f.as.lead, (p) => listApiKeys(f.t.db, p), "forbidden"],
    [
      "add a user as a devops engineer",
      () => f.as.ops,
      (p) => addUser(f.t.db, p, { email: "new@test.local", role: "devops_engineer" }),
      "forbidden",
    ],
    [
      "promote oneself",
      () => f.as.dev,
      (p) => setUserRole(f.t.db, p, { email: "dev@test.local", role: "devops_engineer" }),
      "forbidden",
    ],
    [
      "act as someone else as a person",
      () => f.as.ops,
      (p) => actAs(f.t.db, p, "lead@test.local"),
      "forbidden",
    ],
    ["list users as an agent", () => f.alpha, (p) => listUsers(f.t.db, p), "forbidden"],
    [
      "grant as the operator",
      () => TEST_OPERATOR,
      (p) => createStandingApproval(f.t.db, p, grantBody),
      "forbidden",
    ],
    [
      "grant as an agent",
      () => f.alpha,
      (p) => createStandingApproval(f.t.db, p, grantBody),
      "forbidden",
    ],
    [
      "revoke a grant as an agent",
      () => f.alpha,
      (p) => revokeStandingApproval(f.t.db, p, ids.grant),
      "forbidden",
    ],
    [
      "revoke a grant as a disabled user",
      () => disabled,
      (p) => revokeStandingApproval(f.t.db, p, ids.grant),
      "forbidden",
    ],
    [
      "list grants as an agent",
      () => f.alpha,
      (p) => listStandingApprovals(f.t.db, p),
      "forbidden",
    ],
    ["read the queue as an agent", () => f.alpha, (p) => getQueue(f.t.db, p), "forbidden"],
    ["read the queue as the system", () => SYSTEM, (p) => getQueue(f.t.db, p), "forbidden"],
    [
      "read a request as an agent",
      () => f.alpha,
      (p) => getRequestDetail(f.t.db, p, ids.request),
      "forbidden",
    ],
    [
      "read a workflow as an agent",
      () => f.alpha,
      (p) => getWorkflowStatus(f.t.db, p, "wf-test"),
      "forbidden",
    ],
    [
      "read a page of a workflow as an agent",
      () => f.alpha,
      (p) =>
        getWorkflowPage(f.t.db, p, {
          workflow_id: "wf-test",
          list: "events",
          cursor: encodeWorkflowCursor("events", 1_000_000),
        }),
      "forbidden",
    ],
    ["verify the audit as an agent", () => f.alpha, (p) => verifyAuditLog(f.t.db, p), "forbidden"],
  ];

  it.each(cases)("refuses: %s", async (_, principal, call, code) => {
    const before = await databaseDigest(f.t.db);
    const error = await call(principal()).then(
      () => new Error("expected a refusal"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe(code);
    expect(await databaseDigest(f.t.db)).toEqual(before);
  });

  it("lets each service's own callers through", async () => {
    expect((await getTask(f.t.db, f.alpha, ids.task)).task_id).toBe(ids.task);
    expect((await getTask(f.t.db, f.as.viewer, ids.task)).task_id).toBe(ids.task);
    expect((await listCheckpoints(f.t.db, f.as.viewer, ids.request)).items).toHaveLength(1);
    expect((await listUsers(f.t.db, f.as.viewer)).length).toBeGreaterThan(0);
    expect((await listApiKeys(f.t.db, f.as.ops)).length).toBeGreaterThan(0);
    const own = await createApiKey(f.t.db, f.as.ops, { agent: "ops-bot" });
    expect(own.user_id).toBe(f.users.ops.id);
    const mine = await createApiKey(f.t.db, f.as.ops, { user: "ops@test.local" });
    expect(mine).toMatchObject({ scope: "reviewer", user_id: f.users.ops.id });
    await sealEverything(f.t.db);
    expect(await verifyAuditLog(f.t.db, f.as.viewer)).toMatchObject({ ok: true });
    // A workflow shows what its agents saved along the way, with the data.
    const workflow = await getWorkflowStatus(f.t.db, f.as.viewer, "wf-test");
    expect(workflow.checkpoints).toMatchObject([
      { checkpoint_id: ids.checkpoint, action_id: ids.request, name: "step", data: {} },
    ]);
    // The request's page says, for whoever reads it, whether they may approve and why not.
    expect(await getRequestDetail(f.t.db, f.as.lead, ids.request)).toMatchObject({
      actionable: true,
      not_actionable_reason: null,
    });
    expect(await getRequestDetail(f.t.db, f.as.owner, ids.request)).toMatchObject({
      actionable: false,
      not_actionable_reason:
        "You own the API key that submitted this request; someone else must review it",
    });
    const decided = await approve(f.as.lead);
    expect(decided.status).toBe("approved");
    const [event] = await execRows<{ actor_type: string; actor_id: string }>(
      f.t.db,
      sql`SELECT actor_type, actor_id FROM audit_events WHERE type = 'key.created' ORDER BY id LIMIT 1`,
    );
    // Keys the CLI makes are recorded as the operator's doing.
    expect(event).toEqual({ actor_type: "operator", actor_id: "test-setup" });
  });
});
