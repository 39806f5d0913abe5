"use client";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input, Label } from "@/components/ui/field";
import { safeCallbackPath } from "@/lib/auth/callback-url";

export function LoginForm({
  callbackUrl,
  oidcName,
  initialError,
}: {
  callbackUrl: string;
  oidcName: string | null;
  initialError: string | null;
}) {
  const [error, setError] = useState<string | null>(initialError);
  const [busy, setBusy] = useState<"password" | "oidc" | null>(null);

  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy("password");
    setError(null);
    try {
      const result = await signIn("credentials", {
        redirect: false,
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        callbackUrl,
      });
      if (result?.ok && !result.error) {
        // A full load, so every server component reads the new session cookie; the page
        // checked callbackUrl already, and a prop is checked again where it is followed.
        window.location.assign(safeCallbackPath(callbackUrl) ?? "/queue");
        return;
      }
      setError(
        !result?.error || result.error === "CredentialsSignin"
          ? "Wrong email or password"
          : result.error,
      );
    } catch {
      setError("Airlock could not be reached; check your connection and try again");
    }
    setBusy(null);
  }

  return (
    <div className="mt-6">
      {error && (
        <Alert tone="error" className="mb-4" testId="login-error">
          {error}
        </Alert>
      )}
      <form onSubmit={submit} className="space-y-4" noValidate={false}>
        <div>
          <Label htmlFor="email">Email</Label>
          <Input
            id="email"
            name="email"
            type="email"
            autoComplete="username"
            required
            autoFocus
            data-testid="login-email"
            aria-invalid={error ? true : undefined}
          />
        </div>
        <div>
          <Label htmlFor="password">Password</Label>
          <Input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            data-testid="login-password"
            aria-invalid={error ? true : undefined}
          />
        </div>
        <Button
          type="submit"
          variant="primary"
          className="w-full"
          disabled={busy !== null}
          data-testid="login-submit"
        >
          {busy === "password" ? "Signing in…" : "Sign in"}
        </Button>
      </form>
      {oidcName && (
        <>
          <div className="my-5 flex items-center gap-3 text-xs text-slate-500 dark:text-slate-400">
            <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" />
            or
            <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" />
          </div>
          <Button
            className="w-full"
            disabled={busy !== null}
            data-testid="login-oidc"
            onClick={() => {
              setBusy("oidc");
              void signIn("oidc", { callbackUrl });
            }}
          >
            {busy === "oidc" ? "Redirecting…" : `Sign in with ${oidcName}`}
          </Button>
        </>
      )}
    </div>
  );
}
