"use client";
import { useQuery } from "@tanstack/react-query";
import { loadGrantOffer } from "@/app/(dashboard)/grant-actions";
import type { GrantOfferDto } from "@/lib/contract/grants";
import { unwrap } from "../action-result";

/**
 * Whether the reader may grant a standing approval from this request, read again when its risk
 * level changes (an edit can raise it) and after every decision made on the page.
 */
export function useGrantOffer(
  request: { id: string; risk: { level: string } },
  open: boolean,
  initialLevel: string,
  initial: GrantOfferDto | null,
) {
  return useQuery({
    queryKey: ["grant-offer", request.id, request.risk.level],
    queryFn: () => unwrap(loadGrantOffer({ id: request.id })),
    initialData: () => (request.risk.level === initialLevel ? (initial ?? undefined) : undefined),
    enabled: open,
  });
}
