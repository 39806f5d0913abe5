// Standing approvals in the browser: a tech lead approves a request "and the next 2 like it for
// 1 hour" and the agent's next two pass on arrival while the third waits; a grant made on the
// Grants page stops matching once revoked there; the people who may not revoke see no button;
// and the control is not offered where it may not be used (a developer, a critical request).
// Each journey uses action types of its own, so no grant here covers another spec's requests.
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  type APIRequestContext,
  type Browser,
  expect,
  type Page,
  request as playwrightRequest,
  test,
} from "@playwright/test";
import { ACTIONS, agentKey, type Person, stateOf, submit } from "../fixtures";
import { E2E_OUTPUT_DIR } from "../playwright.config";

const SHOTS = process.env.E2E_SCREENSHOT_DIR ?? path.join(E2E_OUTPUT_DIR, "screenshots");

async function as(browser: Browser, person: Person, width = 1280): Promise<Page> {
  const context = await browser.newContext({
    storageState: stateOf(person),
    viewport: { width, height: width < 500 ? 844 : 900 },
  });
  return context.newPage();
}

/** A high-risk action (DOCUMENT.GENERATE_* is high) of a type only this run uses. */
function reportAction(name: string) {
  return {
    type: `DOCUMENT.GENERATE_${name}_${Date.now().toString(36).toUpperCase()}`,
    environment: "production",
    description: `Generate the ${name.toLowerCase()} report`,
    inputs: { period: "2026-W47", format: "pdf" },
  };
}

async function statusOf(request: APIRequestContext, taskId: string) {
  const r = await request.get(`/api/tasks/${taskId}`, {
    headers: { Authorization: `Bearer ${agentKey()}` },
  });
  return ((await r.json()) as { status: string }).status;
}

const grantRow = (page: Page, type: string) =>
  page.getByTestId("grant-row").filter({ has: page.getByTestId("grant-type").getByText(type) });

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
  const row = grantRow(lead, action.type);
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
  const spent = grantRow(lead, action.type);
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
  await lead.goto("/grants");
  await lead.getByTestId("grant-new").click();
  const form = lead.getByTestId("grant-form");
  // Every field the schema refuses is named beside it; nothing is granted.
  await form.getByTestId("grant-agent-select").selectOption("");
  await form.getByTestId("grant-max-uses").fill("0");
  await form.getByTestId("grant-create").click();
  await expect(form.getByTestId("grant-agent-select")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByTestId("grant-type-pattern")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText("must be at least 1")).toBeVisible();
  await expect(form.getByTestId("grant-reason")).toHaveAttribute("aria-invalid", "true");
  await lead.screenshot({ path: path.join(SHOTS, "grants-form-errors.png"), fullPage: true });

  await form.getByTestId("grant-agent-select").selectOption("demo-agent");
  await expect(form.getByTestId("grant-agent-select")).not.toHaveAttribute("aria-invalid");
  await form.getByTestId("grant-type-pattern").fill(action.type);
  await form.getByTestId("grant-environment").fill("production");
  await form.getByTestId("grant-max-uses").fill("5");
  await form.getByText("15 min", { exact: true }).click();
  await expect(form.getByLabel("15 min")).toBeChecked();
  await form.getByTestId("grant-reason").fill("Stock-take week");
  await form.getByTestId("grant-create").click();
  await expect(lead.getByTestId("grant-created")).toContainText(action.type);
  const row = grantRow(lead, action.type);
  await expect(row).toHaveAttribute("data-state", "active");
  await expect(row.getByTestId("grant-usage-text")).toHaveText("0 of 5");

  expect((await submit(request, action)).status).toBe("approved");
  await lead.reload();
  await expect(grantRow(lead, action.type).getByTestId("grant-usage-text")).toHaveText("1 of 5");

  await grantRow(lead, action.type).getByTestId("grant-revoke").click();
  await lead.getByTestId("grant-revoke-confirm").click();
  await expect(lead.getByTestId("grant-revoke-dialog")).toBeHidden();
  const revoked = grantRow(lead, action.type);
  await expect(revoked).toHaveAttribute("data-state", "revoked");
  await expect(revoked.getByTestId("grant-revoke")).toHaveCount(0);
  expect((await submit(request, action)).status).toBe("pending");
});

test("developers and viewers read the grants with no revoke button on others'; a devops engineer may revoke a lead's", async ({
  browser,
}) => {
  const action = reportAction("AUDIT");
  const lead = await as(browser, "lead");
  await lead.goto("/grants");
  await lead.getByTestId("grant-new").click();
  const form = lead.getByTestId("grant-form");
  await form.getByTestId("grant-agent-select").selectOption("demo-agent");
  await form.getByTestId("grant-type-pattern").fill(action.type);
  await form.getByTestId("grant-reason").fill("Audit week");
  await form.getByTestId("grant-create").click();
  await expect(grantRow(lead, action.type)).toHaveAttribute("data-state", "active");
  await expect(grantRow(lead, action.type).getByTestId("grant-revoke")).toBeVisible();

  for (const person of ["dev", "viewer"] as const) {
    const page = await as(browser, person);
    await page.goto("/grants");
    await expect(grantRow(page, action.type)).toHaveAttribute("data-state", "active");
    await expect(page.getByTestId("grants-read-only")).toBeVisible();
    await expect(page.getByTestId("grant-new")).toHaveCount(0);
    await expect(page.getByTestId("grant-revoke")).toHaveCount(0);
    await page.context().close();
  }

  // A devops engineer ranks above the lead who granted it, so they may revoke it.
  const ops = await as(browser, "ops");
  await ops.goto("/grants");
  await expect(grantRow(ops, action.type).getByTestId("grant-grantor")).toHaveText(
    "lead@airlock.local",
  );
  await grantRow(ops, action.type).getByTestId("grant-revoke").click();
  await ops.getByTestId("grant-revoke-confirm").click();
  await expect(grantRow(ops, action.type)).toHaveAttribute("data-state", "revoked");
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
  await lead.goto("/grants");
  await lead.getByTestId("grant-new").click();
  const form = lead.getByTestId("grant-form");
  await form.getByTestId("grant-agent-select").selectOption("demo-agent");
  await form.getByTestId("grant-type-pattern").fill(shown.type);
  await form.getByTestId("grant-environment").fill("production");
  await form.getByTestId("grant-max-uses").fill("10");
  await form.getByText("4 hours", { exact: true }).click();
  await form.getByTestId("grant-reason").fill("Quarter-end forecasts, one per region");
  await form.getByTestId("grant-create").click();
  await expect(grantRow(lead, shown.type)).toHaveAttribute("data-state", "active");
  await submit(request, shown);
  await submit(request, shown);
  await submit(request, shown);
  await lead.emulateMedia({ colorScheme: "dark" });
  await lead.reload();
  await expect(grantRow(lead, shown.type).getByTestId("grant-usage-text")).toHaveText("3 of 10");
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
  await lead.goto("/grants");
  await grantRow(lead, shown.type).getByTestId("grant-revoke").click();
  await lead.getByTestId("grant-revoke-confirm").click();
  await expect(grantRow(lead, shown.type)).toHaveAttribute("data-state", "revoked");
});

/** A grant action's id and a page that serves it, from the build's manifest (as action-security does). */
function grantAction(name: string): { id: string; page: string } {
  const manifest = JSON.parse(
    readFileSync(
      path.join(__dirname, "..", "..", ".next", "server", "server-reference-manifest.json"),
      "utf8",
    ),
  ) as { node: Record<string, { exportedName?: string; filename?: string; workers: object }> };
  for (const [id, entry] of Object.entries(manifest.node)) {
    if (entry.exportedName !== name || !entry.filename?.includes("(dashboard)/grant-actions")) {
      continue;
    }
    const worker = Object.keys(entry.workers).find((w) => w.startsWith("app/(dashboard)/"));
    if (!worker) continue;
    const page = worker
      .replace(/^app\/\(dashboard\)/, "")
      .replace(/\/page$/, "")
      .replace(/\[[^\]]+\]/g, "00000000-0000-4000-8000-000000000000");
    return { id, page: page || "/" };
  }
  throw new Error(`no server action ${name} in the build`);
}

test("the grant actions refuse no session, a viewer, a developer, a forged or missing Origin, and change nothing", async ({
  request,
}) => {
  const action = reportAction("GUARDED");
  const task = await submit(request, action);
  const baseURL = `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`;
  const terms = { type_pattern: action.type, max_uses: 3, expires_in_minutes: 60, reason: "x" };
  const inputs: Record<string, unknown> = {
    approveRequestAndGrant: { id: task.approval_request_id, ...terms },
    createGrant: { agent: "demo-agent", ...terms },
    revokeGrant: { id: "00000000-0000-4000-8000-000000000000" },
  };
  const calls: [string, Person | null, string | null][] = [
    ["no session", null, baseURL],
    ["a viewer", "viewer", baseURL],
    ["a developer", "dev", baseURL],
    ["a forged Origin", "lead", "http://evil.example"],
    ["no Origin", "lead", null],
  ];
  for (const [why, person, origin] of calls) {
    const ctx = await playwrightRequest.newContext({
      baseURL,
      ...(person ? { storageState: stateOf(person) } : {}),
    });
    for (const [name, input] of Object.entries(inputs)) {
      const { id, page } = grantAction(name);
      const response = await ctx.post(page, {
        headers: {
          "Next-Action": id,
          "Content-Type": "text/plain;charset=UTF-8",
          Accept: "text/x-component",
          ...(origin === null ? {} : { Origin: origin }),
        },
        data: JSON.stringify([input]),
        maxRedirects: 0,
      });
      const text = await response.text();
      expect(text, `${name} with ${why}: ${text.slice(0, 300)}`).not.toContain('{"ok":true');
    }
    await ctx.dispose();
  }
  expect(await statusOf(request, task.task_id)).toBe("pending");
  // Nothing was granted: the agent's next one like it still waits.
  expect((await submit(request, action)).status).toBe("pending");

  // The same call, properly made by a tech lead, goes through: the harness can tell.
  const lead = await playwrightRequest.newContext({ baseURL, storageState: stateOf("lead") });
  const { id, page } = grantAction("approveRequestAndGrant");
  const response = await lead.post(page, {
    headers: {
      "Next-Action": id,
      "Content-Type": "text/plain;charset=UTF-8",
      Accept: "text/x-component",
      Origin: baseURL,
    },
    data: JSON.stringify([inputs.approveRequestAndGrant]),
  });
  expect(await response.text()).toContain('{"ok":true');
  await lead.dispose();
  expect(await statusOf(request, task.task_id)).toBe("approved");
  expect((await submit(request, action)).status).toBe("approved");
});
