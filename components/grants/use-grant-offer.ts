"use client";
import { useQuery } from "@tanstack/react-query";
import type { GrantOfferDto } from "@/lib/contract/grants";
import { queryKeys } from "../query-keys";
import { read } from "../reads";

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
    queryKey: queryKeys.grantOffer.at(request.id, request.risk.level),
    queryFn: ({ signal }) => read("grant-offer", { id: request.id }, signal),
    initialData: () => (request.risk.level === initialLevel ? (initial ?? undefined) : undefined),
    enabled: open,
  });
}
