// The browser, for suites that call the pages' session helpers, session routes or server
// actions in-process: the session next-auth would decode from its cookie (`browser.session`,
// which the suite sets; null is signed out: the token is never read again after sign-in, so
// whatever changes must come from the user record), and the headers of a server action made
// from this app's own page. vi.mock is per file, so each suite mocks the modules itself:
//   vi.mock("next-auth", async (original) =>
//     (await import("@/test-support/browser")).nextAuth(original));
//   vi.mock("next/headers", async () => (await import("@/test-support/browser")).nextHeaders());
import type * as NextAuth from "next-auth";

export const browser = { session: null as { user: { id: string } } | null };

/** next-auth as it is, but for the session: the suite's. */
export async function nextAuth(original: () => Promise<typeof NextAuth>) {
  return { ...(await original()), getServerSession: async () => browser.session };
}

/** next/headers for a server action's request from this app's own origin. */
export function nextHeaders() {
  return {
    headers: async () => {
      const origin = process.env.NEXTAUTH_URL
        ? new URL(process.env.NEXTAUTH_URL).origin
        : "http://airlock.test";
      return new Headers({ origin, host: new URL(origin).host });
    },
  };
}
