"use client";
// The notes under the request page's header: what the reader's last decision did, a change
// made while they read, and how the request closed.

import Link from "next/link";
import type { RequestDetailDto } from "@/lib/contract/api";
import type { GrantDto } from "@/lib/contract/grants";
import { viaWords } from "@/lib/contract/tasks";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { DateTime } from "../ui/clock";
import { VisibleText } from "../ui/visible-text";
import { PersonWords } from "./facts";

/** What the reader's last decision did, read out as it appears. */
export function FlashNotice({
  r,
  flash,
  granted,
}: {
  r: RequestDetailDto;
  flash: string | null;
  /** The standing approval granted with it, if any. */
  granted: GrantDto | null;
}) {
  return (
    <div aria-live="polite" className="empty:hidden">
      {flash && (
        <Alert
          tone={
            r.status === "approved"
              ? "success"
              : r.status === "rejected" || r.status === "quarantined"
                ? "warning"
                : "info"
          }
          className="mt-4"
          testId="request-flash"
        >
          {flash}
          {granted && (
            <>
              {" "}
              <Link href="/grants" className="font-medium underline underline-offset-2">
                See it on the Grants page
              </Link>
            </>
          )}
        </Alert>
      )}
    </div>
  );
}

/** The inputs changed since the reader first saw them: approving waits until they say so. */
export function ChangedNotice({ onReviewed }: { onReviewed: () => void }) {
  return (
    <Alert
      tone="warning"
      className="mt-4"
      testId="request-changed"
      title="This request changed while you were reading it"
    >
      <p>
        Its inputs are not what you first saw (a reviewer edited them, and approvals given before no
        longer count); the page shows the latest. Read it again before you approve.
      </p>
      <Button size="sm" className="mt-2" onClick={onReviewed} data-testid="request-reviewed">
        I have reviewed the latest version
      </Button>
    </Alert>
  );
}

/** How and when the request closed, by whom, and why. */
export function ClosedNotice({ r }: { r: RequestDetailDto }) {
  return (
    <Alert tone="info" className="mt-4" testId="request-closed">
      This request is {r.status}
      {r.decided_at ? (
        <>
          {" "}
          (<DateTime iso={r.decided_at} />)
        </>
      ) : null}
      {r.decider ? (
        <span data-testid="request-decider">
          {" "}
          by <PersonWords person={r.decider} />
          {r.decided_via ? ` ${viaWords(r.decided_via)}` : null}
        </span>
      ) : null}
      {r.status_reason ? (
        <>
          : <VisibleText text={r.status_reason.replace(/[.\s]+$/, "")} />.
        </>
      ) : (
        "."
      )}{" "}
      Nothing more can be decided on it.
    </Alert>
  );
}
