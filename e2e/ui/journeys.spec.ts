// The reviewer journeys of the dashboard, each as the person who lives it, against the built
// app: live arrival, edit-then-approve reaching the waiting agent, two-person critical
// approvals, four-eyes, escalation from the queue, quarantine and release, and a countdown
// that runs out while someone watches.
import { expect, type Page, test } from "@playwright/test";
import { ACTIONS, agentKey, as, submit } from "../fixtures";
import { QueuePage } from "../pages/queue";
import { RequestPage } from "../pages/request";

const row = (page: Page, requestId: string) => new QueuePage(page).row(requestId);

test("a tech lead sees a production deploy arrive live, edits it and approves; the waiting agent gets the edits", async ({
  browser,
  request,
}) => {
  const lead = await as(browser, "lead");
  await lead.goto("/queue");
  // The page is listening before the agent submits.
  await expect(lead.getByTestId("live-state")).toHaveAttribute("data-state", "live");

  const task = await submit(request, ACTIONS.high);
  // Arrives without a reload, its countdown ticking.
  const arrived = row(lead, task.approval_request_id);
  await expect(arrived).toBeVisible({ timeout: 10_000 });
  const countdown = arrived.getByTestId("countdown");
  const first = await countdown.textContent();
  await expect.poll(() => countdown.textContent(), { timeout: 5_000 }).not.toBe(first);

  // The agent waits for the decision while the lead reviews.
  const waited = request.get(`/api/tasks/${task.task_id}?wait=60`, {
    headers: { Authorization: `Bearer ${agentKey()}` },
  });

  await arrived.getByTestId("row-open").click();
  await lead.waitForURL(`**/requests/${task.approval_request_id}`);
  await lead.getByTestId("edit-approve").click();
  const editor = lead.getByTestId("inputs-editor-text");
  await editor.fill(JSON.stringify({ service: "auth", version: "1.4.3" }, null, 2));
  await lead.getByTestId("edit-review").click();
  await expect(lead.getByText("1.4.3").first()).toBeVisible();
  await lead.getByTestId("decision-confirm").click();
  await expect(lead.getByTestId("status-badge").first()).toHaveText(/approved/i);

  const decided = await (await waited).json();
  expect(decided).toMatchObject({
    status: "approved",
    edited_inputs: { service: "auth", version: "1.4.3" },
  });
});

test("a developer sees no approve button on a high-risk request, and is told why", async ({
  browser,
  request,
}) => {
  const task = await submit(request, ACTIONS.high);
  const dev = await as(browser, "dev");
  await dev.goto(`/requests/${task.approval_request_id}`);
  await expect(dev.getByTestId("not-actionable")).toContainText(
    "A developer may not approve high-risk requests",
  );
  await expect(dev.getByTestId("approve")).toHaveCount(0);
  await dev.goto("/queue");
  const queued = row(dev, task.approval_request_id);
  await expect(queued).toBeVisible();
  await expect(queued.getByTestId("row-approve")).toHaveCount(0);
});

test("a coding agent's tool call shows in its queue row as the command it runs", async ({
  browser,
  request,
}) => {
  // As airlock-mcp serve submits a Claude Code permission prompt (describeToolCall's words).
  const command = "kubectl delete namespace prod";
  const task = await submit(request, {
    type: "Bash",
    description: `Bash: ${command}`,
    inputs: { command },
  });
  const ops = await as(browser, "ops");
  await ops.goto("/queue");
  const queued = row(ops, task.approval_request_id);
  await expect(queued.getByTestId("row-open")).toHaveText("Bash");
  await expect(queued.getByTestId("row-description")).toHaveText(
    "Bash: kubectl delete namespace prod",
  );
});

test("a critical request needs two devops engineers with justifications; one person counts once", async ({
  browser,
  request,
}) => {
  const task = await submit(request, ACTIONS.critical);
  const path = `/requests/${task.approval_request_id}`;
  const ops = await as(browser, "ops");
  await ops.goto(path);
  // A justification is required at this level: the dialog says so and sends nothing.
  await new RequestPage(ops).decide("approve");
  await expect(ops.getByText(/justification is required/i).first()).toBeVisible();
  await new RequestPage(ops).confirm("Customer asked for the report; text reviewed");
  await expect(ops.getByTestId("quorum").first()).toContainText("1 of 2");
  // The same engineer cannot approve again.
  await ops.reload();
  await expect(ops.getByTestId("not-actionable")).toContainText(
    "You have already approved this version of the request",
  );

  const second = new RequestPage(await as(browser, "ops2"));
  await second.page.goto(path);
  await second.decide("approve", "Second pair of eyes: fine");
  await expect(second.status).toHaveText(/approved/i);
});

test("the owner of an agent's key cannot approve what it submits", async ({ browser, request }) => {
  // The demo agent is owned by dev@; a devops engineer's own key is made on the keys page.
  const ops = await as(browser, "ops");
  await ops.goto("/keys");
  const name = `ops-bot-${Date.now()}`;
  await ops.getByTestId("key-agent-name").fill(name);
  await ops.getByTestId("key-create-agent").click();
  const key = (await ops.getByTestId("created-key-value").textContent())?.trim() ?? "";
  expect(key).toMatch(/^alk_/);
  const submitWith = () =>
    request.post("/api/tasks", {
      headers: { Authorization: `Bearer ${key}` },
      data: { workflow_id: "wf-owned", agent_name: "ops-bot", action: ACTIONS.high },
    });
  const task = await (await submitWith()).json();
  await ops.goto(`/requests/${task.approval_request_id}`);
  await expect(ops.getByTestId("not-actionable")).toContainText(
    "You own the API key that submitted this request",
  );
  await expect(ops.getByTestId("approve")).toHaveCount(0);

  // Revoked on the keys page, after a change of mind, the key stops working at once.
  await ops.goto("/keys");
  const keyRow = ops.getByTestId("key-row").filter({ hasText: name });
  await keyRow.getByTestId("key-revoke").click();
  const dialog = ops.getByTestId("revoke-dialog");
  await expect(dialog).toContainText(`Revoke the key “${name}”?`);
  await dialog.getByRole("button", { name: "Keep it" }).click();
  await expect(dialog).toBeHidden();
  await keyRow.getByTestId("key-revoke").click();
  await ops.getByTestId("revoke-confirm").click();
  await expect(dialog).toBeHidden();
  await expect(keyRow).toContainText("revoked");
  await expect(keyRow.getByTestId("key-revoke")).toHaveCount(0);
  expect((await submitWith()).status()).toBe(401);
});

test("a lead escalates from the queue row, and can then no longer approve it", async ({
  browser,
  request,
}) => {
  const task = await submit(request, ACTIONS.high);
  const lead = await as(browser, "lead");
  await lead.goto("/queue");
  const queued = row(lead, task.approval_request_id);
  await queued.getByTestId("row-escalate").click();
  await lead.getByTestId("decision-confirm").click();
  await expect(queued).toHaveCount(0);
  await lead.getByTestId("tab-escalated").click();
  await expect(row(lead, task.approval_request_id)).toBeVisible();
  await lead.goto(`/requests/${task.approval_request_id}`);
  await expect(lead.getByTestId("not-actionable")).toContainText("escalated to devops engineer");
  await expect(lead.getByTestId("approve")).toHaveCount(0);
});

test("quarantine takes a request out of the pending tab until a devops engineer releases it", async ({
  browser,
  request,
}) => {
  const task = await submit(request, ACTIONS.high);
  const path = `/requests/${task.approval_request_id}`;
  const lead = await as(browser, "lead");
  await lead.goto(path);
  const held = new RequestPage(lead);
  await held.decide("quarantine", "The version does not match the release notes");
  await expect(held.status).toHaveText(/quarantined/i);
  await lead.goto("/queue");
  await expect(row(lead, task.approval_request_id)).toHaveCount(0);
  // A tech lead may quarantine, not release.
  await lead.goto(path);
  await expect(lead.getByTestId("release")).toHaveCount(0);

  const ops = new RequestPage(await as(browser, "ops"));
  await ops.page.goto(path);
  await ops.decide("release");
  await expect(ops.status).toHaveText(/pending/i);
  await lead.goto("/queue");
  await expect(row(lead, task.approval_request_id)).toBeVisible();
});

test("a short request's countdown runs out and it shows as expired without a reload", async ({
  browser,
  request,
}) => {
  test.setTimeout(150_000);
  // In the e2e rules a low-risk action waits one minute (playwright.config.ts).
  const task = await submit(request, ACTIONS.low);
  const dev = await as(browser, "dev");
  await dev.goto(`/requests/${task.approval_request_id}`);
  await expect(dev.getByTestId("countdown").first()).toBeVisible();
  await expect(dev.getByTestId("status-badge").first()).toHaveText(/expired/i, { timeout: 90_000 });
});
