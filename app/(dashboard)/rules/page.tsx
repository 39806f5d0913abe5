import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Simulator } from "@/components/rules/simulator";
import { Panel } from "@/components/ui/alert";
import { RiskBadge } from "@/components/ui/badge";
import type { RuleSetView } from "@/lib/hitl";
import { type RiskLevel, roleWords } from "@/lib/hitl/types";
import { getRiskRules } from "@/lib/services/rules/rules";
import { requireSignedIn } from "../_lib/session";

export const metadata: Metadata = { title: "Risk rules" };

function Table({
  caption,
  head,
  children,
}: {
  caption: string;
  head: string[];
  children: ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a table wider than the screen scrolls; the keyboard must reach it
    <section className="overflow-x-auto" aria-label={`${caption} table`} tabIndex={0}>
      <table className="w-full min-w-[36rem] text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-xs text-slate-500 uppercase dark:bg-slate-800/50 dark:text-slate-400">
          <tr>
            {head.map((h) => (
              <th key={h} scope="col" className="px-4 py-2 font-medium whitespace-nowrap">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 align-top dark:divide-slate-800">
          {children}
        </tbody>
      </table>
    </section>
  );
}

const td = "px-4 py-2.5";
const yes = (b: boolean) => (b ? "yes" : "—");

function Section({
  id,
  title,
  text,
  children,
}: {
  id: string;
  title: string;
  text?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="mt-8">
      <h2 id={id} className="text-base font-semibold">
        {title}
      </h2>
      {text && <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{text}</p>}
      <Panel className="mt-3 overflow-hidden">{children}</Panel>
    </section>
  );
}

export default async function RulesPage() {
  const { principal } = await requireSignedIn("/rules");
  const view = getRiskRules(principal) as unknown as RuleSetView;
  const permissions = Object.keys(view.permissions.viewer);
  return (
    <div>
      <h1 className="text-xl font-semibold tracking-tight">Risk rules</h1>
      <p className="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        Every action is checked against these rules (rule set{" "}
        <span className="font-mono">{view.version}</span>); the highest level that matches wins and
        modifiers raise the score. Unmatched actions are{" "}
        <strong className="font-medium">{view.defaults.level}</strong>
        {view.defaults.requires_approval ? " and wait for a person" : ""}.
      </p>

      <div className="mt-6">
        <Simulator />
      </div>

      <Section id="levels" title="Levels">
        <Table
          caption="Risk levels"
          head={[
            "Level",
            "Decision",
            "Timeout",
            "Approvals",
            "Role at least",
            "Justification",
            "On expiry",
            "Auto-escalate",
            "Notify",
          ]}
        >
          {view.levels.map((l) => (
            <tr key={l.level}>
              <td className={td}>
                <RiskBadge level={l.level} />
              </td>
              <td className={td}>{l.auto_approve ? "Approved on arrival" : "Waits for people"}</td>
              <td className={`${td} tabular-nums whitespace-nowrap`}>{l.timeout_minutes} min</td>
              <td className={`${td} tabular-nums`}>
                {l.required_approvals}
                {l.required_approvals > 1 ? ", distinct people" : ""}
              </td>
              <td className={td}>{roleWords(l.required_role)}</td>
              <td className={td}>{l.requires_justification ? "required" : "—"}</td>
              <td className={td}>{l.expiry_outcome}</td>
              <td className={`${td} whitespace-nowrap`}>
                {l.auto_escalate_after === null
                  ? "—"
                  : `after ${Math.round(l.auto_escalate_after * 100)}% of the time, ${l.max_escalations}×`}
              </td>
              <td className={td}>{l.notify.join(", ")}</td>
            </tr>
          ))}
        </Table>
      </Section>

      <Section
        id="rules"
        title={`Rules (${view.rules.length})`}
        text="In file order. All of a rule's conditions must hold for it to fire."
      >
        <Table caption="Risk rules" head={["Rule", "Level", "Reason", "When"]}>
          {view.rules.map((r) => (
            <tr
              key={r.id}
              id={`rule-${r.id}`}
              className="scroll-mt-4 target:bg-amber-50 dark:target:bg-amber-400/10"
            >
              <td className={`${td} font-mono text-xs whitespace-nowrap`}>{r.id}</td>
              <td className={td}>
                <RiskBadge level={r.level as RiskLevel} />
              </td>
              <td className={td}>{r.reason}</td>
              {/* Text patterns are long words with no space to break at: wrap them anywhere
                  rather than stretch the table. */}
              <td className={`${td} wrap-anywhere text-slate-600 dark:text-slate-400`}>
                <ul className="space-y-0.5">
                  {r.conditions.map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </Table>
      </Section>

      <Section
        id="modifiers"
        title="Score modifiers"
        text="Any one condition makes a modifier add to the score."
      >
        <Table caption="Score modifiers" head={["Modifier", "Adds", "Reason", "When any of"]}>
          {view.modifiers.map((m) => (
            <tr
              key={m.id}
              id={`rule-${m.id}`}
              className="scroll-mt-4 target:bg-amber-50 dark:target:bg-amber-400/10"
            >
              <td className={`${td} font-mono text-xs whitespace-nowrap`}>{m.id}</td>
              <td className={`${td} tabular-nums`}>+{m.add}</td>
              <td className={td}>{m.reason}</td>
              <td className={`${td} text-slate-600 dark:text-slate-400`}>
                <ul className="space-y-0.5">
                  {m.conditions.map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </Table>
      </Section>

      <Section id="roles" title="Role policies">
        <Table
          caption="Role policies"
          head={[
            "Role",
            "Can approve",
            "Escalates to",
            "Quarantine",
            "Release",
            "Grants",
            "API keys",
            "Claims at once",
          ]}
        >
          {view.roles.map((r) => (
            <tr key={r.role}>
              <th scope="row" className={`${td} font-medium whitespace-nowrap`}>
                {roleWords(r.role)}
              </th>
              <td className={td}>{r.can_approve.length ? r.can_approve.join(", ") : "nothing"}</td>
              <td className={td}>{r.escalate_to ? roleWords(r.escalate_to) : "—"}</td>
              <td className={td}>{yes(r.can_quarantine)}</td>
              <td className={td}>{yes(r.can_release)}</td>
              <td className={td}>{yes(r.can_grant)}</td>
              <td className={td}>{yes(r.can_manage_keys)}</td>
              <td className={`${td} tabular-nums`}>{r.max_claimed}</td>
            </tr>
          ))}
        </Table>
      </Section>

      <Section
        id="permissions"
        title="Permissions"
        text="For each role and permission, the levels at which it is held."
      >
        <Table
          caption="Permission table"
          head={["Role", ...permissions.map((p) => p.replaceAll("_", " "))]}
        >
          {Object.entries(view.permissions).map(([role, perms]) => (
            <tr key={role}>
              <th scope="row" className={`${td} font-medium whitespace-nowrap`}>
                {roleWords(role)}
              </th>
              {permissions.map((p) => {
                const levels = (perms as Record<string, string[]>)[p] ?? [];
                return (
                  <td key={p} className={`${td} text-xs whitespace-nowrap`}>
                    {levels.length === 4 ? "all" : levels.length === 0 ? "—" : levels.join(", ")}
                  </td>
                );
              })}
            </tr>
          ))}
        </Table>
      </Section>
    </div>
  );
}
