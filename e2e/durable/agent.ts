// What the durable specs' agents do over HTTP, a local receiver that counts callbacks, and
// the storage, people and keys each spec starts from.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { hitl, type Storage, storage } from "../servers";

export interface DurableSetup {
  store: Storage;
  /** owner@<name>.test's agent key. */
  agent: { id: string; key: string; webhook_secret: string };
  /** lead@<name>.test's reviewer key. */
  reviewer: string;
  /** Drop the database and remove the scratch directory. */
  drop(): Promise<void>;
}

/**
 * A fresh database (of `kind`) in a scratch directory, set up through the CLI as an operator
 * would: owner@<name>.test (developer) owning the agent `agentName`, and lead@<name>.test
 * (tech lead, with `leadPassword` when the spec signs them in) with a reviewer key.
 */
export async function durableSetup(
  kind: "postgres" | "pglite",
  name: string,
  agentName: string,
  leadPassword?: string,
): Promise<DurableSetup> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), `airlock-${name}-`));
  const store = await storage(kind, path.join(scratch, "data"));
  const owner = `owner@${name}.test`;
  const lead = `lead@${name}.test`;
  hitl(store.env, "init-db");
  hitl(store.env, "users", "add", "--email", owner, "--role", "developer");
  hitl(
    store.env,
    "users",
    "add",
    "--email",
    lead,
    "--role",
    "tech_lead",
    ...(leadPassword ? ["--password", leadPassword] : []),
  );
  const agent = JSON.parse(
    hitl(store.env, "keys", "create", "--agent", agentName, "--owner", owner, "--json"),
  );
  const reviewer = JSON.parse(hitl(store.env, "keys", "create", "--user", lead, "--json")).key;
  return {
    store,
    agent,
    reviewer,
    async drop() {
      await store.drop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

export async function startReceiver() {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(204).end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    received,
    /** Resolves once `n` callbacks have arrived. */
    async count(n: number, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`${received.length} of ${n} callbacks arrived`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 500);
        });
      }
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

export async function call(
  base: string,
  method: string,
  route: string,
  key: string,
  body?: unknown,
) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

/** Poll the task (long-polling on status changes) until `done` says so. */
export async function taskUntil(
  base: string,
  key: string,
  taskId: string,
  done: (task: Record<string, unknown>) => boolean,
) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { json } = await call(base, "GET", `/api/tasks/${taskId}`, key);
    if (done(json)) return json;
    if (Date.now() > deadline) throw new Error(`task never got there: ${JSON.stringify(json)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A task's server-sent events (GET /api/tasks/{id}/events), each `status` as it arrives. */
export async function taskEvents(base: string, key: string, taskId: string) {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/tasks/${taskId}/events`, {
    headers: { Authorization: `Bearer ${key}`, Accept: "text/event-stream" },
    signal: controller.signal,
  });
  if (response.status !== 200 || !response.body) {
    throw new Error(`events answered ${response.status}`);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    /** The next `status` event's task. */
    async next(): Promise<Record<string, unknown>> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame
            .split("\n")
            .filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).trim())
            .join("\n");
          if (frame.split("\n").includes("event: status") && data) return JSON.parse(data);
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("the event stream ended");
        buffer += value;
      }
    },
    close: () => controller.abort(),
  };
}
