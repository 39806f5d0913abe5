// The dashboard's server actions called over HTTP, as a browser calls them (and as an attacker
// would try): each found by its name in the build's manifest, posted to a page that serves it,
// and its typed result read back out of the answer.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";

type Manifest = {
  node: Record<
    string,
    { exportedName?: string; filename?: string; workers: Record<string, unknown> }
  >;
};

let manifest: Manifest | undefined;

/** The app's own origin, as the specs reach it. */
export const BASE_URL = `http://127.0.0.1:${process.env.E2E_PORT ?? 3100}`;

/** The action's id and a page that serves it (its worker), from the build's manifest. */
export function serverAction(
  module: "actions" | "grant-actions",
  name: string,
): { id: string; page: string } {
  manifest ??= JSON.parse(
    readFileSync(
      path.join(__dirname, "..", ".next", "server", "server-reference-manifest.json"),
      "utf8",
    ),
  ) as Manifest;
  for (const [id, entry] of Object.entries(manifest.node)) {
    if (entry.exportedName !== name || !entry.filename?.includes(`(dashboard)/${module}`)) {
      continue;
    }
    const worker = Object.keys(entry.workers).find((w) => w.startsWith("app/(dashboard)/"));
    if (!worker) continue;
    const page = worker
      .replace(/^app\/\(dashboard\)/, "")
      .replace(/\/page$/, "")
      .replace(/\[[^\]]+\]/g, "00000000-0000-4000-8000-000000000000");
    return { id, page: page || "/" };
  }
  throw new Error(`no server action ${name} in the build`);
}

/**
 * Call a server action as a browser would, from `origin` (null: no Origin header), with any
 * other headers; whether it answered `{ ok: true }`, and what the server sent.
 */
export async function callServerAction(
  ctx: APIRequestContext,
  action: { module: "actions" | "grant-actions"; name: string; input: unknown },
  options: { origin?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; ok: boolean; text: string }> {
  const { id, page } = serverAction(action.module, action.name);
  const origin = options.origin === undefined ? BASE_URL : options.origin;
  const response = await ctx.post(page, {
    headers: {
      "Next-Action": id,
      "Content-Type": "text/plain;charset=UTF-8",
      Accept: "text/x-component",
      ...(origin === null ? {} : { Origin: origin }),
      ...options.headers,
    },
    data: JSON.stringify([action.input]),
    maxRedirects: 0,
  });
  const text = await response.text();
  const result = text.match(/\{"ok":(true|false).*$/m)?.[0];
  return { status: response.status(), ok: result?.startsWith('{"ok":true') ?? false, text };
}
