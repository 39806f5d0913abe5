// The insights page as reviewers meet it, drawn from the history the demo seeds: numbers in the
// first HTML (no spinner), charts that agree with their text and tables, windows to switch, a
// new request counted, a phone's width, and the README's screenshot (into E2E_SCREENSHOT_DIR
// when set, else the run's output).
import { statSync } from "node:fs";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { ACTIONS, as, submit } from "../fixtures";
import { E2E_OUTPUT_DIR } from "../playwright.config";

const SHOTS = process.env.E2E_SCREENSHOT_DIR ?? path.join(E2E_OUTPUT_DIR, "screenshots");
const LEVELS = ["low", "medium", "high", "critical"] as const;

const number = (text: string | null) => Number((text ?? "").replace(/[^\d]/g, ""));

/** The page's numbers: the requests stat and the legend's count per level. */
async function volume(page: Page) {
  const total = number(await page.getByTestId("stat-requests").textContent());
  const byLevel: Record<string, number> = {};
  for (const l of LEVELS) byLevel[l] = number(await page.getByTestId(`volume-${l}`).textContent());
  return { total, byLevel };
}

async function chartsDrawn(page: Page) {
  for (const chart of ["chart-volume", "chart-decision-time", "chart-agents"]) {
    await expect(page.getByTestId(chart).locator(".recharts-bar-rectangle").first()).toBeVisible();
  }
}

test("the first response already holds the numbers: no spinner, no second round trip", async ({
  browser,
}) => {
  const page = await as(browser, "viewer");
  const response = await page.request.get("/insights");
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toMatch(/data-testid="stat-requests"[^>]*>[\d,]+</);
  expect(html).toContain("lead@airlock.local");
});

test("the seeded history is drawn, and the charts' text and tables say the same", async ({
  browser,
}) => {
  const page = await as(browser, "lead");
  await page.goto("/insights");
  await expect(page.getByRole("heading", { name: "Insights", level: 1 })).toBeVisible();
  await expect(page.getByTestId("window-7d")).toHaveAttribute("aria-current", "page");
  await chartsDrawn(page);

  const { total, byLevel } = await volume(page);
  // Two weeks of history at every level: a week of it holds well over a hundred requests.
  expect(total).toBeGreaterThan(100);
  for (const l of LEVELS) expect(byLevel[l]).toBeGreaterThan(0);
  expect(Object.values(byLevel).reduce((a, b) => a + b, 0)).toBe(total);

  const volumeCard = page.getByTestId("card-volume");
  await volumeCard.getByText("Show as a table").click();
  await expect(page.getByTestId("volume-total")).toHaveText(total.toLocaleString("en-US"));
  // A row a UTC day, both partial days at the window's ends included.
  await expect(page.getByTestId("volume-table").locator("tbody tr")).toHaveCount(8);

  // Every level waited for people in the e2e rules (low too), each with a median in units.
  for (const l of LEVELS) {
    await expect(page.getByTestId(`time-${l}`)).toContainText(/\d+(\.\d)? (s|min|h)/);
  }
  await expect(page.getByTestId("stat-median")).toHaveText(/^\d+(\.\d)? (s|min|h)$/);
  await expect(page.getByTestId("stat-expiry")).toHaveText(/^\d+(\.\d)?%$/);

  const agents = page.getByTestId("card-agents");
  await agents.getByText("Show as a table").click();
  // The history's five agents (other specs may add their own).
  expect(await page.getByTestId("agent-row").count()).toBeGreaterThanOrEqual(5);
  await expect(page.getByTestId("agents-table")).toContainText("release-bot");

  const reviewers = page.getByTestId("reviewer-row");
  await expect(reviewers.first()).toContainText("lead@airlock.local");
  await expect(page.getByTestId("reviewers-table")).toContainText("ops2@airlock.local");
  // The chart's own summary, for screen readers.
  await expect(page.getByTestId("chart-volume").locator("desc")).toContainText(
    `${total.toLocaleString("en-US")} requests in the last 7 days`,
  );
});

test("the window switches between 24 hours, 7 and 30 days", async ({ browser }) => {
  const page = await as(browser, "viewer");
  await page.goto("/insights");
  const week = await volume(page);

  await page.getByTestId("window-24h").click();
  await expect(page).toHaveURL(/\/insights\?window=24h$/);
  await expect(page.getByTestId("insights")).toHaveAttribute("data-window", "24h");
  await expect(page.getByTestId("window-24h")).toHaveAttribute("aria-current", "page");
  await expect(page.getByText(/Per hour \(UTC\)/)).toBeVisible();
  const day = await volume(page);
  expect(day.total).toBeLessThanOrEqual(week.total);

  await page.getByTestId("window-30d").click();
  await expect(page.getByTestId("insights")).toHaveAttribute("data-window", "30d");
  const month = await volume(page);
  expect(month.total).toBeGreaterThanOrEqual(week.total);
  await chartsDrawn(page);

  // A window the page does not offer shows the default one.
  await page.goto("/insights?window=1y");
  await expect(page.getByTestId("insights")).toHaveAttribute("data-window", "7d");
});

test("a request submitted now is counted in the last 24 hours, at its level", async ({
  browser,
  request,
}) => {
  const page = await as(browser, "lead");
  await page.goto("/insights?window=24h");
  const before = await volume(page);
  await submit(request, ACTIONS.critical);
  await page.reload();
  const after = await volume(page);
  expect(after.byLevel.critical).toBe((before.byLevel.critical ?? 0) + 1);
  expect(after.total).toBeGreaterThanOrEqual(before.total);
});

test("fits a 390 px phone without horizontal scroll", async ({ browser }) => {
  const page = await as(browser, "lead", 390);
  await page.goto("/insights");
  await chartsDrawn(page);
  const { overflow, widest } = await page.evaluate(() => {
    // What reaches past the screen's edge, to name in the failure.
    const beyond = [...document.querySelectorAll("main *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
      .map((e) => `${e.tagName.toLowerCase()}[data-testid=${e.getAttribute("data-testid")}]`);
    return {
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      widest: beyond.slice(0, 5),
    };
  });
  expect(overflow, `wider than the screen: ${widest.join(", ")}`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: path.join(SHOTS, "insights-phone.png"), fullPage: true });
});

test("screenshot of the insights page", async ({ browser }) => {
  const page = await as(browser, "lead");
  await page.goto("/insights");
  await page.waitForLoadState("networkidle");
  await chartsDrawn(page);
  const file = path.join(SHOTS, "insights.png");
  await page.screenshot({ path: file, fullPage: true });
  expect(statSync(file).size).toBeGreaterThan(10_000);
});
