// After signing in Airlock only ever goes to its own origin, however a link spells the way
// back: a signed-in reviewer who opens /login?callbackUrl=… lands on the queue, a sign-in
// through the form does too, and next-auth's own answer names this origin. Requests to any
// other host are answered by a stub here, so a redirect off-site fails the assertion instead
// of leaving for the network.
import { type APIRequestContext, type Browser, expect, type Page, test } from "@playwright/test";
import { PASSWORD, PEOPLE, type Person, stateOf } from "../fixtures";

const baseURL = `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`;
const origin = new URL(baseURL).origin;

const SPELLINGS = [
  ["a tab", "/\t/example.com"],
  ["an encoded tab, decoded again", "/%09/example.com"],
  ["a backslash", "/\\example.com"],
  ["two backslashes", "\\\\example.com"],
  ["a scheme-relative URL", "//example.com"],
  ["an absolute URL", "https://example.com/"],
] as const;

const loginWith = (callbackUrl: string) => `/login?callbackUrl=${encodeURIComponent(callbackUrl)}`;

/** A page whose requests to any other origin get a stub page instead of the network. */
async function pageFor(browser: Browser, person: Person | null): Promise<Page> {
  const context = await browser.newContext(person ? { storageState: stateOf(person) } : {});
  await context.route(
    (url) => url.origin !== origin,
    (route) =>
      route.fulfill({ status: 200, contentType: "text/html", body: "<h1>Somewhere else</h1>" }),
  );
  return context.newPage();
}

for (const [name, callbackUrl] of SPELLINGS) {
  test(`a signed-in reviewer sent to sign in with ${name} as the way back stays on Airlock`, async ({
    browser,
  }) => {
    const page = await pageFor(browser, "lead");
    await page.goto(loginWith(callbackUrl));
    await expect(page).toHaveURL(`${origin}/queue`);
    await expect(page.getByText(PEOPLE.lead.email)).toBeVisible();
    await page.context().close();
  });
}

test("signing in through the form with an off-site way back lands on the queue", async ({
  browser,
}) => {
  const page = await pageFor(browser, null);
  await page.goto(loginWith("/\t/example.com"));
  await page.getByLabel("Email").fill(PEOPLE.viewer.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(`${origin}/queue`);
  await expect(page.getByText(PEOPLE.viewer.email)).toBeVisible();
  await page.context().close();
});

/** Where next-auth sends the browser after a password sign-in that asked for `callbackUrl`. */
async function nextAuthRedirect(request: APIRequestContext, callbackUrl: string): Promise<string> {
  const csrf = await request.get("/api/auth/csrf");
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken, email: PEOPLE.viewer.email, password: PASSWORD, callbackUrl, json: "true" },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(200);
  return ((await response.json()) as { url: string }).url;
}

test("next-auth's own redirect after a password sign-in names this origin only", async ({
  request,
}) => {
  expect(await nextAuthRedirect(request, "/requests?x=1")).toBe(`${origin}/requests?x=1`);
  for (const [name, callbackUrl] of SPELLINGS) {
    expect(await nextAuthRedirect(request, callbackUrl), name).toBe(origin);
  }
});
