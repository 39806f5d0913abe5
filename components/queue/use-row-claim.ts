"use client";
// Claiming and unclaiming from a queue row: which row is waiting for the server, and the
// last refusal, shown above the list.

import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { claimRequest, unclaimRequest } from "@/app/(dashboard)/actions";
import type { QueueItemDto } from "@/lib/contract/api";
import { visibleText } from "@/lib/hitl/text";
import { queryKeys } from "../query-keys";
import { useAnnounce } from "../ui/clock";

export function useRowClaim() {
  const client = useQueryClient();
  const announce = useAnnounce();
  const [claimError, setClaimError] = useState<string | null>(null);
  const [claiming, setClaiming] = useState<string | null>(null);
  const onClaim = useCallback(
    async (item: QueueItemDto, claim: boolean) => {
      setClaiming(item.id);
      setClaimError(null);
      const r = await (claim ? claimRequest({ id: item.id }) : unclaimRequest({ id: item.id }));
      setClaiming(null);
      if (!r.ok) setClaimError(r.error.message);
      else announce(`${claim ? "Claimed" : "Unclaimed"} ${visibleText(item.action.type)}`);
      void client.invalidateQueries({ queryKey: queryKeys.queue.all });
    },
    [client, announce],
  );
  return { claimError, claiming, onClaim };
}
