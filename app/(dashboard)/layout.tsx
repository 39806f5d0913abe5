import type { ReactNode } from "react";
import { Nav } from "@/components/nav";
import { Providers } from "@/components/providers";
import type { LevelPolicy, ViewerInfo } from "@/components/viewer";
import type { Permission } from "@/lib/hitl/permissions";
import type { RiskLevel } from "@/lib/hitl/types";
import { listUsers } from "@/lib/services/accounts/users";
import { getRiskRules } from "@/lib/services/rules/rules";
import { signedIn } from "./_lib/session";

// Every page below checks the session itself (and sends a stranger to /login with the way
// back); without a person there is nothing to frame, so the page's redirect runs alone.
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const s = await signedIn();
  if (!s) return children;
  const { db, principal, user } = s;
  const rules = getRiskRules(principal);
  const people = await listUsers(db, principal);
  const roles = rules.roles as { role: string; rank: number; escalate_to: string | null }[];
  const permissions = (rules.permissions as Record<string, Record<Permission, RiskLevel[]>>)[
    user.role
  ] as Record<Permission, RiskLevel[]>;
  const levels = Object.fromEntries(
    (rules.levels as unknown as LevelPolicy[]).map((l) => [
      l.level,
      {
        level: l.level,
        requires_justification: l.requires_justification,
        required_approvals: l.required_approvals,
        required_role: l.required_role,
        timeout_minutes: l.timeout_minutes,
      },
    ]),
  ) as Record<RiskLevel, LevelPolicy>;
  const viewer: ViewerInfo = {
    user: { id: user.id, email: user.email, role: user.role, name: user.name },
    permissions,
    escalateTo: roles.find((r) => r.role === user.role)?.escalate_to ?? null,
    roleRank: Object.fromEntries(roles.map((r) => [r.role, r.rank])),
    levels,
    people: Object.fromEntries(people.map((p) => [p.id, { email: p.email, role: p.role }])),
  };
  return (
    <Providers viewer={viewer} serverNow={Date.now()}>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:shadow dark:focus:bg-slate-900"
      >
        Skip to content
      </a>
      <Nav email={user.email} role={user.role} showKeys={permissions.manage_keys.length > 0} />
      <main id="main" className="mx-auto w-full max-w-6xl px-4 pt-4 pb-16 sm:px-6 sm:pt-6">
        {children}
      </main>
    </Providers>
  );
}
