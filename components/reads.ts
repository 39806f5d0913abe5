// The pages' reads, typed end to end: `read("queue", input)` answers what the server's read of
// that name returns (app/(dashboard)/reads.ts), fetched from GET /api/dashboard/{read} with the
// browser's session. A refusal throws the same ActionFailure a server action's would, so
// react-query and failureText treat both alike.
import type { z } from "zod";
import type { Reads } from "@/app/(dashboard)/reads";
import type { ActionError } from "@/lib/auth/action";
import { ActionFailure } from "./action-result";

export type ReadName = keyof Reads;
export type ReadInput<N extends ReadName> = z.input<Reads[N]["input"]>;
export type ReadAnswer<N extends ReadName> = Awaited<ReturnType<Reads[N]["run"]>>;

export async function read<N extends ReadName>(
  name: N,
  input: ReadInput<N>,
  signal?: AbortSignal,
): Promise<ReadAnswer<N>> {
  const q = encodeURIComponent(JSON.stringify(input));
  const response = await fetch(`/api/dashboard/${name}?q=${q}`, {
    headers: { Accept: "application/json" },
    cache: "no-store",
    signal,
  });
  const body = (await response.json().catch(() => undefined)) as
    | ReadAnswer<N>
    | { error?: ActionError }
    | undefined;
  if (!response.ok) {
    const error = (body as { error?: ActionError } | undefined)?.error;
    throw new ActionFailure(
      error ?? { code: "unavailable", message: `Airlock answered ${response.status}` },
    );
  }
  return body as ReadAnswer<N>;
}
