import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { LogoMark } from "@/components/ui/logo";
import { roleWords } from "@/lib/hitl/types";
import { checkHealth } from "@/lib/services/insights/health";
import { hitlConfig } from "@/lib/services/rules/config";

export const dynamic = "force-dynamic";

const LEVEL_STYLE: Record<string, string> = {
  low: "bg-emerald-50 text-emerald-800 ring-emerald-200 dark:bg-emerald-400/10 dark:text-emerald-300 dark:ring-emerald-400/30",
  medium:
    "bg-amber-50 text-amber-800 ring-amber-200 dark:bg-amber-400/10 dark:text-amber-300 dark:ring-amber-400/30",
  high: "bg-orange-50 text-orange-800 ring-orange-200 dark:bg-orange-400/10 dark:text-orange-300 dark:ring-orange-400/30",
  critical:
    "bg-red-50 text-red-800 ring-red-200 dark:bg-red-400/10 dark:text-red-300 dark:ring-red-400/30",
};

export default async function HomePage() {
  const health = await checkHealth();
  const ok = health.status === "ok";
  const { view } = hitlConfig().ruleSet;
  return (
    <main className="mx-auto max-w-4xl px-4 py-10 sm:px-6 sm:py-14">
      <header className="flex flex-wrap items-baseline justify-between gap-4">
        <div>
          <h1 className="flex items-center gap-3 text-3xl font-semibold tracking-tight">
            <LogoMark className="size-9" />
            Airlock
          </h1>
          <p className="mt-2 max-w-2xl text-lg text-slate-600 dark:text-slate-400">
            Human approval gates for AI agents: risky actions wait here until the right people
            approve them.
          </p>
          <Link
            href="/login"
            className={`${buttonClass("primary")} mt-5`}
            data-testid="sign-in-link"
          >
            Sign in to review
          </Link>
        </div>
        <p
          data-testid="database-status"
          className={`inline-flex items-center gap-2 rounded-full px-3 py-1 text-sm font-medium ring-1 ${
            ok
              ? "bg-emerald-50 text-emerald-800 ring-emerald-200 dark:bg-emerald-400/10 dark:text-emerald-300 dark:ring-emerald-400/30"
              : "bg-red-50 text-red-800 ring-red-200 dark:bg-red-400/10 dark:text-red-300 dark:ring-red-400/30"
          }`}
        >
          Database: {ok ? "ok" : "unreachable"}
        </p>
      </header>

      <section className="mt-12" aria-labelledby="levels">
        <h2 id="levels" className="text-lg font-semibold">
          Risk levels
        </h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Every action is assessed against {view.rules.length} rules and {view.modifiers.length}{" "}
          score modifiers (rule set {view.version}); the highest level wins.
        </p>
        <section
          aria-label="Risk levels table"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: the table scrolls sideways on a phone
          tabIndex={0}
          className="mt-4 overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
        >
          <table className="w-full min-w-[36rem] text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800/50 dark:text-slate-400">
              <tr>
                <th className="px-4 py-2 font-medium">Level</th>
                <th className="px-4 py-2 font-medium">Decision</th>
                <th className="px-4 py-2 font-medium">Timeout</th>
                <th className="px-4 py-2 font-medium">Approvals</th>
                <th className="px-4 py-2 font-medium">Role at least</th>
                <th className="px-4 py-2 font-medium">Justification</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {view.levels.map((l) => (
                <tr key={l.level}>
                  <td className="px-4 py-2">
                    <span
                      className={`rounded-md px-2 py-0.5 text-xs font-semibold uppercase ring-1 ${LEVEL_STYLE[l.level]}`}
                    >
                      {l.level}
                    </span>
                  </td>
                  <td className="px-4 py-2">
                    {l.auto_approve ? "Approved on arrival" : "Waits for people"}
                  </td>
                  <td className="px-4 py-2 tabular-nums">{l.timeout_minutes} min</td>
                  <td className="px-4 py-2 tabular-nums">
                    {l.required_approvals}
                    {l.required_approvals > 1 ? ", distinct people" : ""}
                  </td>
                  <td className="px-4 py-2">{roleWords(l.required_role)}</td>
                  <td className="px-4 py-2">{l.requires_justification ? "Required" : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </section>

      <section className="mt-10 grid gap-4 text-sm sm:grid-cols-3" aria-label="For machines">
        {[
          ["/api/openapi.json", "API contract", "OpenAPI 3.1 for agents and reviewer bots"],
          ["/api/health", "Health", "Liveness and database reachability"],
          ["/api/metrics", "Metrics", "Prometheus text format"],
        ].map(([href, title, text]) => (
          <a
            key={href}
            href={href}
            className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200 hover:ring-indigo-300 dark:bg-slate-900 dark:ring-slate-800 dark:hover:ring-indigo-500/50"
          >
            <span className="font-medium text-slate-900 dark:text-slate-100">{title}</span>
            <span className="mt-1 block font-mono text-xs text-indigo-700 dark:text-indigo-300">
              {href}
            </span>
            <span className="mt-2 block text-slate-600 dark:text-slate-400">{text}</span>
          </a>
        ))}
      </section>
    </main>
  );
}
