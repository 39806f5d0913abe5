import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { LogoMark } from "@/components/ui/logo";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { oidcProvider } from "@/lib/auth/options";
import { sessionPrincipal } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

/** Only a path on this site, and not back to sign-in or into the API; else the queue. */
function safeCallback(raw: string | undefined): string {
  const path = safeCallbackPath(raw);
  if (!path || path.startsWith("/login") || path.startsWith("/api/")) return "/queue";
  return path;
}

// next-auth's error codes, in words; our own OIDC refusals arrive as sentences.
const ERRORS: Record<string, string> = {
  CredentialsSignin: "Wrong email or password",
  OAuthSignin: "The identity provider could not be reached; try again",
  OAuthCallback: "The identity provider's answer could not be used; try again",
  OAuthAccountNotLinked: "This identity is not linked to an Airlock account",
  AccessDenied: "Your account may not sign in to Airlock",
  SessionRequired: "Sign in to continue",
  Callback: "Signing in failed; try again",
  Configuration: "Sign-in is misconfigured on the server; tell your operator",
  Default: "Signing in failed; try again",
};

function errorText(raw: string | undefined): string | null {
  if (!raw) return null;
  if (ERRORS[raw]) return ERRORS[raw];
  return raw.length <= 200 && /^[\w .,;:'’()@/-]+$/u.test(raw) ? raw : (ERRORS.Default as string);
}

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const callbackUrl = safeCallback(one(params.callbackUrl));
  if (await sessionPrincipal()) redirect(callbackUrl);
  const oidcName = oidcProvider() ? env().OIDC_NAME : null;
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <Link
          href="/"
          className="mx-auto flex w-fit items-center gap-2 text-lg font-semibold tracking-tight"
        >
          <LogoMark className="size-9" />
          Airlock
        </Link>
        <div className="mt-8 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200 sm:p-8 dark:bg-slate-900 dark:ring-slate-800">
          <h1 className="text-xl font-semibold tracking-tight">Sign in to review</h1>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            Approve, reject or escalate what your agents want to do.
          </p>
          <LoginForm
            callbackUrl={callbackUrl}
            oidcName={oidcName}
            initialError={errorText(one(params.error))}
          />
        </div>
        <p className="mt-6 text-center text-xs text-slate-500 dark:text-slate-400">
          Agents use API keys, not this page: see{" "}
          <a
            className="underline hover:text-slate-700 dark:hover:text-slate-200"
            href="/api/openapi.json"
          >
            the API contract
          </a>
          .
        </p>
      </div>
    </main>
  );
}
