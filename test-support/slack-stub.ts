// For tests: a local stand-in for Slack's Web API (the methods Slack approvals call), on a
// loopback port, keeping every call. SLACK_API_URL (or SlackSettings.apiUrl) points at it;
// the real @slack/web-api client talks to it as to Slack.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface SlackCall {
  method: string;
  /** The call's arguments, with the JSON-valued form fields (blocks, view) parsed. */
  args: Record<string, unknown>;
  authorization: string | undefined;
}

type Behaviour = (call: SlackCall) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface SlackStub {
  /** The base URL, as SLACK_API_URL takes it. */
  url: string;
  calls: SlackCall[];
  of(method: string): SlackCall[];
  /** Resolves with the first call of `method` after `after` of them were already made. */
  next(method: string, after?: number): Promise<SlackCall>;
  /** Answer `method` this way from now on (default: ok, with a channel and ts for posts). */
  on(method: string, behaviour: Behaviour | undefined): void;
  close(): Promise<void>;
}

export async function startSlackStub(): Promise<SlackStub> {
  const calls: SlackCall[] = [];
  const behaviours = new Map<string, Behaviour>();
  const waiters: { method: string; after: number; resolve: (c: SlackCall) => void }[] = [];
  let ts = 1_700_000_000;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const method = (req.url ?? "").replace(/^\/api\//, "").replace(/\?.*$/, "");
      const raw = Buffer.concat(chunks).toString();
      const args: Record<string, unknown> = {};
      if ((req.headers["content-type"] ?? "").includes("json")) {
        Object.assign(args, raw ? JSON.parse(raw) : {});
      } else {
        for (const [k, v] of new URLSearchParams(raw)) {
          args[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
        }
      }
      const call: SlackCall = { method, args, authorization: req.headers.authorization };
      calls.push(call);
      const count = calls.filter((c) => c.method === method).length;
      for (const w of waiters.filter((w) => w.method === method && count > w.after)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(call);
      }
      const behaviour = behaviours.get(method);
      const body = behaviour
        ? await behaviour(call)
        : method === "chat.postMessage"
          ? { ok: true, channel: args.channel, ts: `${ts++}.000100` }
          : method === "chat.update"
            ? { ok: true, channel: args.channel, ts: args.ts }
            : { ok: true };
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    of: (method) => calls.filter((c) => c.method === method),
    next(method, after = calls.filter((c) => c.method === method).length) {
      const made = calls.filter((c) => c.method === method);
      const already = made[after];
      if (already) return Promise.resolve(already);
      return new Promise((resolve) => waiters.push({ method, after, resolve }));
    },
    on(method, behaviour) {
      if (behaviour) behaviours.set(method, behaviour);
      else behaviours.delete(method);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
