// Signs each demo reviewer in through the real login page (next-auth credentials) and keeps
// the browser state, so the ui specs start signed in as whoever they need.
import { expect, test as setup } from "@playwright/test";
import { PASSWORD, PEOPLE, type Person, stateOf } from "./fixtures";

for (const person of Object.keys(PEOPLE) as Person[]) {
  setup(`sign in as ${person}`, async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill(PEOPLE[person].email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL("**/queue");
    await expect(page.getByText(PEOPLE[person].email)).toBeVisible();
    // The session cookie is out of scripts' reach and not sent on cross-site requests.
    const session = (await page.context().cookies()).find((c) =>
      c.name.endsWith("next-auth.session-token"),
    );
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    await page.context().storageState({ path: stateOf(person) });
  });
}
