// Single sign-on against a real local OIDC provider (the oidc-provider package, started here):
// the login page's SSO button, the provider's own login and consent, and back signed in with
// the role the person's groups map to (OIDC_ROLE_MAP in playwright.config.ts), enforced.
import type { Server } from "node:http";
import { expect, test } from "@playwright/test";
import Provider from "oidc-provider";
import { ACTIONS, submit } from "../fixtures";
import { OIDC } from "../playwright.config";

const baseURL = `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`;

/** The identity provider's people: their email, name and groups. */
const ACCOUNTS: Record<string, { email: string; name: string; groups: string[] }> = {
  "lee-sso": {
    email: "lee.sso@idp.example",
    name: "Lee Sso",
    groups: ["engineering", "airlock-leads"],
  },
  "dana-sso": { email: "dana.sso@idp.example", name: "Dana Sso", groups: ["engineering"] },
  "mallory-sso": { email: "mallory@idp.example", name: "Mallory", groups: ["marketing"] },
};

let server: Server;

test.beforeAll(async () => {
  const provider = new Provider(`http://127.0.0.1:${OIDC.port}`, {
    clients: [
      {
        client_id: OIDC.clientId,
        client_secret: OIDC.clientSecret,
        redirect_uris: [`${baseURL}/api/auth/callback/oidc`],
        response_types: ["code"],
        grant_types: ["authorization_code"],
      },
    ],
    claims: { openid: ["sub", "groups"], email: ["email", "email_verified"], profile: ["name"] },
    // The app reads the profile from the ID token, as many providers' apps do.
    conformIdTokenClaims: false,
    async findAccount(_ctx, id) {
      const account = ACCOUNTS[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: account.email,
            email_verified: true,
            name: account.name,
            groups: account.groups,
          };
        },
      };
    },
    cookies: { keys: ["e2e-oidc-cookie-key"] },
  });
  server = provider.listen(OIDC.port);
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

async function signInThroughProvider(page: import("@playwright/test").Page, login: string) {
  await page.goto("/login");
  await page.getByRole("button", { name: /Sign in with Test IdP/ }).click();
  await page.waitForURL(`http://127.0.0.1:${OIDC.port}/**`);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

test("signs a lead in through the provider, with the role the groups map to", async ({
  page,
  request,
}) => {
  const high = await submit(request, ACTIONS.high);
  const critical = await submit(request, ACTIONS.critical);
  await signInThroughProvider(page, "lee-sso");
  await page.waitForURL("**/queue**");
  await expect(page.getByText("lee.sso@idp.example")).toBeVisible();
  await expect(page.getByTestId("user-role")).toHaveText("tech lead");
  // The mapped role is the one enforced: a lead may approve high, not critical.
  await page.goto(`/requests/${critical.approval_request_id}`);
  await expect(page.getByText("A tech lead may not approve critical-risk requests")).toBeVisible();
  await page.goto(`/requests/${high.approval_request_id}`);
  await expect(page.getByRole("button", { name: "Approve", exact: true })).toBeVisible();
});

test("a developer from the provider cannot approve a high-risk request", async ({
  page,
  request,
}) => {
  const high = await submit(request, ACTIONS.high);
  await signInThroughProvider(page, "dana-sso");
  await page.waitForURL("**/queue**");
  await page.goto(`/requests/${high.approval_request_id}`);
  await expect(page.getByText("A developer may not approve high-risk requests")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Approve/ })).toHaveCount(0);
});

test("someone whose groups grant no role is refused with a reason", async ({ page }) => {
  await signInThroughProvider(page, "mallory-sso");
  await page.waitForURL("**/login**");
  await expect(page.getByText("None of your groups grants a role in Airlock")).toBeVisible();
});
