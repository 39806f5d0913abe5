"use client";
// What the reviewer is doing on the request page: the version they have read, the decision
// dialog open, the inputs they are editing, and the note their last decision left. One hook, so
// the sections that start a decision and the dialogs that finish it share the same state.

import { useEffect, useState } from "react";
import type { RequestDetailDto } from "@/lib/contract/api";
import type { GrantDto } from "@/lib/contract/grants";
import type { ApprovedAndGranted } from "../grants/approve-and-grant-dialog";
import type { DecisionKind } from "../queue/use-decide";

export function useRequestDecisions(r: RequestDetailDto, initialHash: string) {
  // What the reviewer has read: an approval carries it, so a change since is refused (409).
  const [seenHash, setSeenHash] = useState(initialHash);
  const changed = r.content_hash !== seenHash;
  // After our own edit-then-approve, the new version is the one this reviewer saw.
  const [adoptNext, setAdoptNext] = useState(false);
  useEffect(() => {
    if (adoptNext && changed) {
      setSeenHash(r.content_hash);
      setAdoptNext(false);
    }
  }, [adoptNext, changed, r.content_hash]);

  const [dialog, setDialog] = useState<DecisionKind | null>(null);
  const [editing, setEditing] = useState(false);
  const [edited, setEdited] = useState<Record<string, unknown> | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  const [granting, setGranting] = useState(false);
  const [granted, setGranted] = useState<GrantDto | null>(null);

  function done(message: string) {
    if (edited) setAdoptNext(true);
    setFlash(message);
    setGranted(null);
    setEdited(null);
    setEditing(false);
  }

  function approvedAndGranted({ request, grant }: ApprovedAndGranted) {
    const left = request.approvals.need - request.approvals.have;
    setFlash(
      `${
        request.status === "approved"
          ? "Approved"
          : `Your approval is recorded (${left} more needed)`
      }, and the next ${grant.max_uses} like it will pass on arrival until ${new Date(
        grant.expires_at,
      ).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}.`,
    );
    setGranted(grant);
  }

  return {
    seenHash,
    setSeenHash,
    changed,
    dialog,
    setDialog,
    editing,
    setEditing,
    edited,
    setEdited,
    flash,
    granting,
    setGranting,
    granted,
    done,
    approvedAndGranted,
  };
}

export type RequestDecisions = ReturnType<typeof useRequestDecisions>;
