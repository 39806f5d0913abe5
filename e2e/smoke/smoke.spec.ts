import { expect, test } from "@playwright/test";

test("the built app serves its home page in Chromium", async ({ page }) => {
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Airlock");
  await expect(page.getByTestId("database-status")).toHaveText("Database: ok");
  const levels = page.getByRole("table").getByRole("row");
  await expect(levels).toHaveCount(5);
  await expect(levels.nth(4)).toContainText("critical");
  await expect(levels.nth(4)).toContainText("2, distinct people");
});

test("health reports the database and sets security headers", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ status: "ok", database: "ok" });
  const headers = response.headers();
  expect(headers["cache-control"]).toBe("no-store");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-powered-by"]).toBeUndefined();
});
