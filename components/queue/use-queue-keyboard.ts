"use client";
// The reviewer's place in the queue and the keys that work from it: the selected row, which
// survives refreshes, j/k to move, Enter to open, and a/r/e to start a decision.

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import type { QueueItemDto } from "@/lib/contract/api";
import { canEscalate, useViewer } from "../viewer";
import type { DecisionKind } from "./use-decide";

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) ||
    target.closest("dialog[open]") !== null
  );
}

export function useQueueKeyboard(items: QueueItemDto[], openTab: boolean) {
  const viewer = useViewer();
  const router = useRouter();

  // The reviewer's place: the selected row survives refreshes; when it leaves (decided,
  // expired), the row that took its place is selected.
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const lastIndex = useRef(0);
  useEffect(() => {
    if (!openTab || items.length === 0) return;
    const at = selectedId ? items.findIndex((i) => i.id === selectedId) : -1;
    if (at >= 0) {
      lastIndex.current = at;
      return;
    }
    if (selectedId !== null) {
      const next = items[Math.min(lastIndex.current, items.length - 1)];
      setSelectedId(next?.id ?? null);
    }
  }, [items, selectedId, openTab]);

  const [dialog, setDialog] = useState<{ kind: DecisionKind; item: QueueItemDto } | null>(null);

  const onDecide = useCallback((kind: DecisionKind, item: QueueItemDto) => {
    setSelectedId(item.id);
    setDialog({ kind, item });
  }, []);

  // j/k move, Enter opens, a/r/e decide (each through its confirm step).
  useEffect(() => {
    if (!openTab) return;
    function onKey(e: KeyboardEvent) {
      if (e.metaKey || e.ctrlKey || e.altKey || isTyping(e.target)) return;
      if (items.length === 0) return;
      const at = Math.max(
        0,
        items.findIndex((i) => i.id === selectedId),
      );
      const current = selectedId ? items[at] : undefined;
      const move = (to: number) => {
        const next = items[Math.max(0, Math.min(items.length - 1, to))];
        if (!next) return;
        setSelectedId(next.id);
        document
          .querySelector(`[data-testid="queue-row"][data-id="${next.id}"]`)
          ?.scrollIntoView({ block: "nearest" });
      };
      if (e.key === "j" || e.key === "ArrowDown") {
        e.preventDefault();
        move(current ? at + 1 : 0);
      } else if (e.key === "k" || e.key === "ArrowUp") {
        e.preventDefault();
        move(current ? at - 1 : 0);
      } else if (
        e.key === "Enter" &&
        current &&
        !(e.target instanceof HTMLAnchorElement || e.target instanceof HTMLButtonElement)
      ) {
        e.preventDefault();
        router.push(`/requests/${current.id}`);
      } else if (
        current &&
        e.key === "a" &&
        current.actionable &&
        current.allowed_decisions.includes("approve")
      ) {
        e.preventDefault();
        setDialog({ kind: "approve", item: current });
      } else if (current && e.key === "r" && current.actionable) {
        e.preventDefault();
        setDialog({ kind: "reject", item: current });
      } else if (current && e.key === "e" && canEscalate(viewer, current)) {
        e.preventDefault();
        setDialog({ kind: "escalate", item: current });
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [items, selectedId, openTab, router, viewer]);

  return { selectedId, setSelectedId, dialog, setDialog, onDecide };
}
