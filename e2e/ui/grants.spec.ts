// Standing approvals in the browser: a tech lead approves a request "and the next 2 like it for
// 1 hour" and the agent's next two pass on arrival while the third waits; a grant made on the
// Grants page stops matching once revoked there; the people who may not revoke see no button;
// and the control is not offered where it may not be used (a developer, a critical request).
// Each journey uses action types of its own, so no grant here covers another spec's requests.
import path from "node:path";
import { expect, request as playwrightRequest, test } from "@playwright/test";
import { ACTIONS, as, type Person, stateOf, statusOf, submit } from "../fixtures";
import { GrantsPage } from "../pages/grants";
import { E2E_OUTPUT_DIR } from "../playwright.config";
import { BASE_URL, callServerAction } from "../server-actions";

const SHOTS = process.env.E2E_SCREENSHOT_DIR ?? path.join(E2E_OUTPUT_DIR, "screenshots");

/** A high-risk action (DOCUMENT.GENERATE_* is high) of a type only this run uses. */
function reportAction(name: string) {
  return {
    type: `DOCUMENT.GENERATE_${name}_${Date.now().toString(36).toUpperCase()}`,
    environment: "production",
    description: `Generate the ${name.toLowerCase()} report`,
    inputs: { period: "2026-W47", format: "pdf" },
  };
}

test("a tech lead approves a request and the next 2 like it for an hour: two pass, the third waits", async ({
  browser,
  request,
}) => {
  const action = reportAction("SALES");
  const task = await submit(request, action);
  const lead = await as(browser, "lead");
  await lead.goto(`/requests/${task.approval_request_id}`);
  await lead.getByTestId("approve-and-grant").click();
  const dialog = lead.getByTestId("grant-dialog");
  await expect(dialog).toBeVisible();
  // Exactly what it will cover: the agent's key, this type, this environment, the lead's limit.
  await expect(dialog.getByTestId("grant-covers-agent")).toHaveText("demo-agent");
  await expect(dialog.getByTestId("grant-covers-type")).toHaveText(action.type);
  await expect(dialog.getByTestId("grant-covers-environment")).toHaveText("production");
  await expect(dialog.getByTestId("grant-covers").getByTestId("risk-badge")).toHaveAttribute(
    "data-level",
    "high",
  );
  await dialog.getByTestId("grant-max-uses").fill("2");
  await dialog.getByText("4 hours", { exact: true }).click();
  await expect(dialog.getByTestId("grant-expires-preview")).toContainText("in 4h 00m");
  await dialog.getByText("1 hour", { exact: true }).click();
  await expect(dialog.getByLabel("1 hour")).toBeChecked();
  await expect(dialog.getByTestId("grant-covers-uses")).toHaveText("the next 2 requests like it");
  await expect(dialog.getByTestId("grant-expires-preview")).toContainText("in 1h 00m");

  // Without a reason nothing is sent: the field says why, and the request still waits.
  await dialog.getByTestId("grant-confirm").click();
  await expect(dialog.getByText("must not be empty")).toBeVisible();
  await expect(dialog.getByTestId("grant-reason")).toHaveAttribute("aria-invalid", "true");
  expect(await statusOf(request, task.task_id)).toBe("pending");

  await dialog.getByTestId("grant-reason").fill("The weekly report runs every hour today");
  await lead.screenshot({ path: path.join(SHOTS, "grant-dialog.png") });
  await dialog.getByTestId("grant-confirm").click();
  await expect(dialog).toBeHidden();
  await expect(lead.getByTestId("status-badge").first()).toHaveText(/approved/i);
  await expect(lead.getByTestId("request-flash")).toContainText("the next 2 like it");
  expect(await statusOf(request, task.task_id)).toBe("approved");

  await lead.getByRole("link", { name: "See it on the Grants page" }).click();
  await lead.waitForURL("**/grants");
  const grants = new GrantsPage(lead);
  const row = grants.row(action.type);
  await expect(row).toHaveAttribute("data-state", "active");
  await expect(row.getByTestId("grant-usage-text")).toHaveText("0 of 2");
  await expect(row.getByTestId("grant-agent")).toHaveText("demo-agent");
  await expect(row.getByTestId("grant-grantor")).toHaveText("you");
  const countdown = row.getByTestId("countdown");
  const first = await countdown.textContent();
  await expect.poll(() => countdown.textContent(), { timeout: 5_000 }).not.toBe(first);

  // The agent's next two like it are approved on arrival; the third waits for a person.
  const next = [await submit(request, action), await submit(request, action)];
  expect(next.map((t) => t.status)).toEqual(["approved", "approved"]);
  const third = await submit(request, action);
  expect(third.status).toBe("pending");
  await lead.reload();
  const spent = grants.row(action.type);
  await expect(spent).toHaveAttribute("data-state", "used_up");
  await expect(spent.getByTestId("grant-usage-text")).toHaveText("2 of 2");
  await expect(spent.getByTestId("grant-state")).toHaveText("used up");
  await expect(lead.getByTestId("grants-ended").getByTestId("grant-row").first()).toBeVisible();
  await expect(spent.getByTestId("grant-revoke")).toHaveCount(0);
});

test("a standing approval made on the Grants page approves on arrival until it is revoked there", async ({
  browser,
  request,
}) => {
  const action = reportAction("INVENTORY");
  const lead = await as(browser, "lead");
  const grants = new GrantsPage(lead);
  await grants.goto();
  await grants.open();
  const form = grants.form;
  // Every field the schema refuses is named beside it; nothing is granted.
  await form.getByTestId("grant-agent-select").selectOption("");
  await form.getByTestId("grant-max-uses").fill("0");
  await form.getByTestId("grant-create").click();
  await expect(form.getByTestId("grant-agent-select")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByTestId("grant-type-pattern")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText("must be at least 1")).toBeVisible();
  await expect(form.getByTestId("grant-reason")).toHaveAttribute("aria-invalid", "true");
  await lead.screenshot({ path: path.join(SHOTS, "grants-form-errors.png"), fullPage: true });

  await grants.fill({
    type: action.type,
    environment: "production",
    maxUses: 5,
    window: "15 min",
    reason: "Stock-take week",
  });
  await expect(form.getByTestId("grant-agent-select")).not.toHaveAttribute("aria-invalid");
  await expect(form.getByLabel("15 min")).toBeChecked();
  await form.getByTestId("grant-create").click();
  await expect(lead.getByTestId("grant-created")).toContainText(action.type);
  const row = grants.row(action.type);
  await expect(row).toHaveAttribute("data-state", "active");
  await expect(row.getByTestId("grant-usage-text")).toHaveText("0 of 5");

  expect((await submit(request, action)).status).toBe("approved");
  await lead.reload();
  await expect(grants.row(action.type).getByTestId("grant-usage-text")).toHaveText("1 of 5");

  await grants.revoke(action.type);
  await expect(lead.getByTestId("grant-revoke-dialog")).toBeHidden();
  const revoked = grants.row(action.type);
  await expect(revoked).toHaveAttribute("data-state", "revoked");
  await expect(revoked.getByTestId("grant-revoke")).toHaveCount(0);
  expect((await submit(request, action)).status).toBe("pending");
});

test("developers and viewers read the grants with no revoke button on others'; a devops engineer may revoke a lead's", async ({
  browser,
}) => {
  const action = reportAction("AUDIT");
  const lead = new GrantsPage(await as(browser, "lead"));
  await lead.goto();
  await lead.create({ type: action.type, reason: "Audit week" });
  await expect(lead.row(action.type)).toHaveAttribute("data-state", "active");
  await expect(lead.row(action.type).getByTestId("grant-revoke")).toBeVisible();

  for (const person of ["dev", "viewer"] as const) {
    const page = await as(browser, person);
    await new GrantsPage(page).goto();
    await expect(new GrantsPage(page).row(action.type)).toHaveAttribute("data-state", "active");
    await expect(page.getByTestId("grants-read-only")).toBeVisible();
    await expect(page.getByTestId("grant-new")).toHaveCount(0);
    await expect(page.getByTestId("grant-revoke")).toHaveCount(0);
    await page.context().close();
  }

  // A devops engineer ranks above the lead who granted it, so they may revoke it.
  const ops = new GrantsPage(await as(browser, "ops"));
  await ops.goto();
  await expect(ops.row(action.type).getByTestId("grant-grantor")).toHaveText("lead@airlock.local");
  await ops.revoke(action.type);
  await expect(ops.row(action.type)).toHaveAttribute("data-state", "revoked");
});

test("the control is not offered to a developer, nor on a critical request, and says why", async ({
  browser,
  request,
}) => {
  // In the e2e rules a low-risk action waits (playwright.config.ts), so a developer may approve
  // it, from an agent they do not own (the demo agent is the developer's): one made by ops.
  const ops = await as(browser, "ops");
  await ops.goto("/keys");
  await ops.getByTestId("key-agent-name").fill(`reader-bot-${Date.now()}`);
  await ops.getByTestId("key-create-agent").click();
  const key = (await ops.getByTestId("created-key-value").textContent())?.trim() ?? "";
  const submitted = await request.post("/api/tasks", {
    headers: { Authorization: `Bearer ${key}` },
    data: { workflow_id: `wf-grants-${Date.now()}`, agent_name: "reader", action: ACTIONS.low },
  });
  expect(submitted.status()).toBe(201);
  const low = (await submitted.json()) as { approval_request_id: string };
  const dev = await as(browser, "dev");
  await dev.goto(`/requests/${low.approval_request_id}`);
  await expect(dev.getByTestId("approve")).toBeVisible();
  await expect(dev.getByTestId("approve-and-grant")).toHaveCount(0);
  await expect(dev.getByTestId("grant-not-offered")).toContainText(
    "A developer may not grant standing approvals",
  );

  const critical = await submit(request, ACTIONS.critical);
  await ops.goto(`/requests/${critical.approval_request_id}`);
  await expect(ops.getByTestId("approve")).toBeVisible();
  await expect(ops.getByTestId("approve-and-grant")).toHaveCount(0);
  await expect(ops.getByTestId("grant-not-offered")).toContainText("never cover critical requests");
});

test("screenshots of the grants page and the approve-and-grant dialog, on a desktop and a phone", async ({
  browser,
  request,
}) => {
  test.setTimeout(120_000);
  // One in force to look at, beside the ended ones the journeys above left.
  const shown = reportAction("FORECAST");
  const lead = await as(browser, "lead");
  const grants = new GrantsPage(lead);
  await grants.goto();
  await grants.create({
    type: shown.type,
    environment: "production",
    maxUses: 10,
    window: "4 hours",
    reason: "Quarter-end forecasts, one per region",
  });
  await expect(grants.row(shown.type)).toHaveAttribute("data-state", "active");
  await submit(request, shown);
  await submit(request, shown);
  await submit(request, shown);
  await lead.emulateMedia({ colorScheme: "dark" });
  await lead.reload();
  await expect(grants.row(shown.type).getByTestId("grant-usage-text")).toHaveText("3 of 10");
  await lead.screenshot({ path: path.join(SHOTS, "grants-dark.png"), fullPage: true });

  for (const [width, suffix] of [
    [1280, ""],
    [390, "-phone"],
  ] as const) {
    const page = await as(browser, "lead", width);
    await page.goto("/grants");
    await expect(page.getByTestId("grant-row").first()).toBeVisible();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SHOTS, `grants${suffix}.png`), fullPage: true });
    await page.getByTestId("grant-new").click();
    await page.screenshot({ path: path.join(SHOTS, `grants-form${suffix}.png`), fullPage: true });

    const task = await submit(request, reportAction("SHOT"));
    await page.goto(`/requests/${task.approval_request_id}`);
    await expect(page.getByTestId("approve-and-grant")).toBeVisible();
    await page.screenshot({ path: path.join(SHOTS, `grant-request${suffix}.png`), fullPage: true });
    await page.getByTestId("approve-and-grant").click();
    await expect(page.getByTestId("grant-dialog")).toBeVisible();
    await page.screenshot({ path: path.join(SHOTS, `grant-dialog-open${suffix}.png`) });
    await page.context().close();
  }
  await grants.goto();
  await grants.revoke(shown.type);
  await expect(grants.row(shown.type)).toHaveAttribute("data-state", "revoked");
});

test("the grant actions refuse no session, a viewer, a developer, a forged or missing Origin, and change nothing", async ({
  request,
}) => {
  const action = reportAction("GUARDED");
  const task = await submit(request, action);
  const terms = { type_pattern: action.type, max_uses: 3, expires_in_minutes: 60, reason: "x" };
  const inputs: Record<string, unknown> = {
    approveRequestAndGrant: { id: task.approval_request_id, ...terms },
    createGrant: { agent: "demo-agent", ...terms },
    revokeGrant: { id: "00000000-0000-4000-8000-000000000000" },
  };
  const calls: [string, Person | null, string | null][] = [
    ["no session", null, BASE_URL],
    ["a viewer", "viewer", BASE_URL],
    ["a developer", "dev", BASE_URL],
    ["a forged Origin", "lead", "http://evil.example"],
    ["no Origin", "lead", null],
  ];
  for (const [why, person, origin] of calls) {
    const ctx = await playwrightRequest.newContext({
      baseURL: BASE_URL,
      ...(person ? { storageState: stateOf(person) } : {}),
    });
    for (const [name, input] of Object.entries(inputs)) {
      const result = await callServerAction(
        ctx,
        { module: "grant-actions", name, input },
        { origin },
      );
      expect(result.ok, `${name} with ${why}: ${result.text.slice(0, 300)}`).toBe(false);
    }
    await ctx.dispose();
  }
  expect(await statusOf(request, task.task_id)).toBe("pending");
  // Nothing was granted: the agent's next one like it still waits.
  expect((await submit(request, action)).status).toBe("pending");

  // The same call, properly made by a tech lead, goes through: the harness can tell.
  const lead = await playwrightRequest.newContext({
    baseURL: BASE_URL,
    storageState: stateOf("lead"),
  });
  const made = await callServerAction(lead, {
    module: "grant-actions",
    name: "approveRequestAndGrant",
    input: inputs.approveRequestAndGrant,
  });
  expect(made.ok, made.text.slice(0, 300)).toBe(true);
  await lead.dispose();
  expect(await statusOf(request, task.task_id)).toBe("approved");
  expect((await submit(request, action)).status).toBe("approved");
});
