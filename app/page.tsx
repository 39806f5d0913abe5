import { checkHealth } from "@/lib/services/health";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const health = await checkHealth();
  const ok = health.status === "ok";
  return (
    <main className="mx-auto max-w-3xl px-6 py-16">
      <h1 className="text-3xl font-semibold tracking-tight">Airlock</h1>
      <p className="mt-2 text-lg text-slate-600">
        Human approval gates for AI agents: risky actions wait here until the right people approve
        them.
      </p>
      <p
        data-testid="database-status"
        className={`mt-8 inline-flex items-center gap-2 rounded-full px-3 py-1 text-sm font-medium ${
          ok ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-800"
        }`}
      >
        Database: {ok ? "ok" : "unreachable"}
      </p>
      <p className="mt-6 text-sm text-slate-600">
        Service health for monitors:{" "}
        <a className="font-mono text-indigo-700 underline" href="/api/health">
          /api/health
        </a>
      </p>
    </main>
  );
}
