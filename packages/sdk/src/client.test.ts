import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AirlockError, createAirlockClient } from "./client";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A local HTTP server answering each request with the next handler (the last one repeats). */
async function serve(handlers: Handler[]) {
  const calls: { url: string; at: number; auth?: string }[] = [];
  const server = createServer((req, res) => {
    calls.push({ url: req.url ?? "", at: Date.now(), auth: req.headers.authorization });
    const handler = handlers[Math.min(calls.length - 1, handlers.length - 1)] as Handler;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { base: `http://127.0.0.1:${port}`, calls };
}
const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const task = (status: string) => ({
  task_id: "4b3a9d0e-0000-4000-8000-000000000001",
  approval_request_id: "4b3a9d0e-0000-4000-8000-000000000002",
  status,
});
const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

describe("createAirlockClient", () => {
  it("turns the API's error shape into one AirlockError with its code, status and details", async () => {
    const { base, calls } = await serve([
      json(400, {
        error: {
          code: "invalid",
          message: "workflow_id: Required",
          details: [{ path: "workflow_id", message: "Required" }],
        },
      }),
    ]);
    const client = createAirlockClient({ baseUrl: `${base}/`, apiKey: "alk_test" });
    const error = await client
      .submit({ workflow_id: "", agent_name: "a", action: { type: "x", description: "" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AirlockError);
    expect(error).toMatchObject({
      code: "invalid",
      status: 400,
      message: "workflow_id: Required",
      details: [{ path: "workflow_id", message: "Required" }],
    });
    expect(calls[0]).toMatchObject({ url: "/api/tasks", auth: "Bearer alk_test" });
  });

  it("says `network` with status 0 when nothing answers", async () => {
    const client = createAirlockClient({ baseUrl: "http://127.0.0.1:9", apiKey: "k" });
    await expect(client.getTask("x")).rejects.toMatchObject({ code: "network", status: 0 });
  });

  it("waits for a decision through errors and early answers, never asking faster than once a second", async () => {
    let dropped = false;
    const { base, calls } = await serve([
      // The database is briefly down: 503 with Retry-After.
      json(503, { error: { code: "unavailable", message: "down" } }, { "Retry-After": "1" }),
      // The connection breaks.
      (_req, res) => {
        dropped = true;
        res.socket?.destroy();
      },
      // An early answer: the request escalated, it is still open.
      json(200, task("escalated")),
      json(200, task("approved")),
    ]);
    const client = createAirlockClient({ baseUrl: base, apiKey: "k" });
    const decided = await client.waitForDecision("t-1", { timeoutMs: 20_000 });
    expect(decided.status).toBe("approved");
    expect(dropped).toBe(true);
    expect(calls).toHaveLength(4);
    expect(calls.every((c) => /^\/api\/tasks\/t-1\?wait=\d+$/.test(c.url))).toBe(true);
    // Retry-After was honoured, and the early answer was not followed at once.
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect((calls[3]?.at ?? 0) - (calls[2]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("asks the server to hold the poll no longer than the time left, at most 60 s", async () => {
    const { base, calls } = await serve([json(200, task("rejected"))]);
    const client = createAirlockClient({ baseUrl: base, apiKey: "k" });
    await client.waitForDecision("t-2", { timeoutMs: 3_500 });
    await client.waitForDecision("t-2");
    expect(calls.map((c) => c.url)).toEqual(["/api/tasks/t-2?wait=4", "/api/tasks/t-2?wait=60"]);
  });

  it("gives up with `timeout` after timeoutMs, and stops at once when its signal aborts", async () => {
    const { base } = await serve([json(200, task("pending"))]);
    const client = createAirlockClient({ baseUrl: base, apiKey: "k" });
    await expect(client.waitForDecision("t-3", { timeoutMs: 1_200 })).rejects.toMatchObject({
      code: "timeout",
      status: 0,
    });

    // A poll the server holds; the abort ends it.
    const held = await serve([() => {}]);
    const holding = createAirlockClient({ baseUrl: held.base, apiKey: "k" });
    const controller = new AbortController();
    const started = Date.now();
    const waiting = holding.waitForDecision("t-4", { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("the agent stopped")), 200);
    await expect(waiting).rejects.toThrow("the agent stopped");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("does not retry what retrying cannot fix", async () => {
    const { base, calls } = await serve([
      json(404, { error: { code: "not_found", message: "No task" } }),
    ]);
    const client = createAirlockClient({ baseUrl: base, apiKey: "k" });
    await expect(client.waitForDecision("t-5")).rejects.toMatchObject({
      code: "not_found",
      status: 404,
    });
    expect(calls).toHaveLength(1);
  });
});
