// Every page as people meet it: no serious or critical accessibility violation (axe-core), no
// horizontal scroll on a 390 px phone, and screenshots of the main pages for people to look at
// (into E2E_SCREENSHOT_DIR when set, e.g. to refresh the README's, else the run's output).
import { statSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { ACTIONS, agentKey, as, type Person, submit } from "../fixtures";
import { E2E_OUTPUT_DIR } from "../playwright.config";

const SHOTS = process.env.E2E_SCREENSHOT_DIR ?? path.join(E2E_OUTPUT_DIR, "screenshots");

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

let ids: { request: string; critical: string; workflow: string };

test.beforeAll(async ({ request }) => {
  const workflow = `wf-release-${Date.now()}`;
  const high = await submit(request, ACTIONS.high, { workflow_id: workflow });
  const critical = await submit(request, ACTIONS.critical, { workflow_id: workflow });
  await submit(
    request,
    { ...ACTIONS.high, environment: "staging", description: "Deploy to staging" },
    { workflow_id: workflow },
  );
  const saved = await request.post(`/api/hitl/actions/${high.approval_request_id}/checkpoints`, {
    headers: { Authorization: `Bearer ${agentKey()}` },
    data: {
      name: "tests-passed",
      type: "state",
      data: { suite: "integration", passed: 412, failed: 0, commit: "9f2c1e7" },
    },
  });
  expect(saved.status()).toBe(201);
  ids = { request: high.approval_request_id, critical: critical.approval_request_id, workflow };
});

const PAGES: [string, Person, () => string][] = [
  ["queue", "lead", () => "/queue"],
  ["request", "lead", () => `/requests/${ids.request}`],
  ["critical request", "ops", () => `/requests/${ids.critical}`],
  ["workflow", "lead", () => `/workflows/${ids.workflow}`],
  ["rules", "viewer", () => "/rules"],
  ["insights", "viewer", () => "/insights"],
  ["audit", "viewer", () => "/audit"],
  ["keys", "ops", () => "/keys"],
  ["grants", "lead", () => "/grants"],
];

for (const [name, person, url] of PAGES) {
  test(`the ${name} page has no serious accessibility violation`, async ({ browser }) => {
    const page = await as(browser, person);
    await page.goto(url());
    await page.waitForLoadState("networkidle");
    if (name === "workflow") {
      await expect(page.getByTestId("workflow-checkpoint")).toContainText("tests-passed");
    }
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await seriousViolations(page)).toEqual([]);
  });
}

test("the login page has no serious accessibility violation", async ({ page }) => {
  await page.goto("/login");
  expect(await seriousViolations(page)).toEqual([]);
});

// Every role, since the pages differ by role: a devops engineer's navigation has a sixth link
// (Keys), a viewer's buttons are fewer. The queue is the page every role lands on.
const ROLES: Person[] = ["viewer", "dev", "lead", "ops"];

for (const person of ROLES) {
  test(`the queue page has no serious accessibility violation for ${person}`, async ({
    browser,
  }) => {
    const page = await as(browser, person);
    await page.goto("/queue");
    await page.waitForLoadState("networkidle");
    expect(await seriousViolations(page)).toEqual([]);
  });

  for (const [name, url] of [
    ["queue", () => "/queue"],
    ["request", () => `/requests/${ids.request}`],
    ["grants", () => "/grants"],
  ] as const) {
    test(`the ${name} page fits a 390 px phone without horizontal scroll for ${person}`, async ({
      browser,
    }) => {
      const page = await as(browser, person, 390);
      await page.goto(url());
      await page.waitForLoadState("networkidle");
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      if (person === "lead") {
        await page.screenshot({ path: path.join(SHOTS, `${name}-phone.png`), fullPage: true });
      }
    });
  }
}

// One test a screenshot: a full page of a busy Grants list takes seconds to draw.
for (const [name, person, url] of [
  ["queue", "lead", () => "/queue"],
  ["request", "ops", () => `/requests/${ids.critical}`],
  ["workflow", "lead", () => `/workflows/${ids.workflow}`],
  ["rules", "lead", () => "/rules"],
  ["grants", "lead", () => "/grants"],
] as const) {
  test(`a screenshot of the ${name} page`, async ({ browser }) => {
    const page = await as(browser, person);
    await page.goto(url());
    await page.waitForLoadState("networkidle");
    const file = path.join(SHOTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });
}
