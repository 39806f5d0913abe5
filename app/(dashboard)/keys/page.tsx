import type { Metadata } from "next";
import Link from "next/link";
import { KeysView } from "@/components/keys/keys-view";
import { buttonClass } from "@/components/ui/button";
import { roleWords } from "@/lib/hitl/types";
import { listApiKeys } from "@/lib/services/accounts/keys";
import { getRiskRules } from "@/lib/services/rules/rules";
import { requireSignedIn } from "../_lib/session";

export const metadata: Metadata = { title: "API keys" };

export default async function KeysPage() {
  const { db, principal, user } = await requireSignedIn("/keys");
  const permissions = getRiskRules(principal).permissions as Record<
    string,
    Record<string, string[]>
  >;
  if ((permissions[user.role]?.manage_keys ?? []).length === 0) {
    return (
      <div className="mx-auto max-w-md py-16 text-center" data-testid="keys-not-for-role">
        <h1 className="text-lg font-semibold">API keys are not for your role</h1>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
          Devops engineers create and revoke keys. As a {roleWords(user.role)}, ask one of them if
          an agent needs a key.
        </p>
        <Link href="/queue" className={`${buttonClass("secondary")} mt-6`}>
          Back to the queue
        </Link>
      </div>
    );
  }
  return <KeysView initial={await listApiKeys(db, principal)} />;
}
