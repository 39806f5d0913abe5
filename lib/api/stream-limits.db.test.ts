// Event streams and `?wait=` long polls outlive their request (SPEC §8.1): one key holds at
// most HITL_MAX_STREAMS_PER_KEY of them (429 with Retry-After past that; other keys are not
// touched), every way a stream ends gives its slot back, and each re-checks its caller — a
// revoked key, a disabled person — within seconds, closing the stream and answering the wait.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execRows } from "@/db/client";
import { parseEnv } from "@/lib/env";
import { createApiKey, revokeApiKey } from "@/lib/services/accounts/keys";
import type { UserPrincipal } from "@/lib/services/principal";
import { type ApiHarness, createApiHarness, errorShape, readResponse } from "@/test-support/api";
import { ACTIONS, PEOPLE, TEST_OPERATOR, taskBody } from "@/test-support/services";
import { eventStream } from "./sse";
import { holdStream, openStreams } from "./streams";

// The environment is read once per process: set before anything reads it. The re-check is
// quickened so the suite does not sit out the default seconds.
const RECHECK_MS = vi.hoisted(() => {
  process.env.HITL_MAX_STREAMS_PER_KEY = "20";
  process.env.HITL_STREAM_RECHECK_MS = "250";
  return 250;
});
const MAX = 20;

// The dashboard's stream reads the browser session through next-auth; here it is whoever
// `signedIn.as` says.
const signedIn = vi.hoisted(() => ({ as: null as UserPrincipal | null }));
vi.mock("@/lib/auth/session", () => ({ sessionPrincipal: async () => signedIn.as }));

/** Whether the stream ends (the server closed it) within `ms`. */
function ends(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<boolean> {
  const drained = (async () => {
    for (;;) if ((await reader.read()).done) return true;
  })();
  return Promise.race([drained, new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

/** Polls `check` until it holds or `ms` pass. */
async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe("open streams and long polls per key", () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness();
  });
  afterAll(async () => {
    await api?.f.t.destroy();
  });

  const submit = async (key: string) => {
    const r = await api.call("POST", "/api/tasks", { key, body: taskBody(ACTIONS.high) });
    expect(r.status, r.text).toBe(201);
    return r.json as { task_id: string; approval_request_id: string };
  };
  const alphaSlots = () => openStreams(`key:${api.f.alpha.keyId}`);

  /** A stream or a long poll, with the means to leave it; `settled` once the server answered. */
  function open(kind: "stream" | "wait", taskId: string, key: string) {
    const abort = new AbortController();
    const path = kind === "stream" ? `/api/tasks/${taskId}/events` : `/api/tasks/${taskId}?wait=60`;
    const state: { response: Response | null } = { response: null };
    const answered = api.fetch("GET", path, { key, signal: abort.signal }).then((r) => {
      state.response = r;
      return r;
    });
    return { kind, abort, answered, state };
  }

  it("documents a default of 100, and re-checks at least every 5 seconds", () => {
    const defaults = parseEnv({});
    expect(defaults.HITL_MAX_STREAMS_PER_KEY).toBe(100);
    expect(defaults.HITL_STREAM_RECHECK_MS).toBeLessThanOrEqual(5000);
    expect(() => parseEnv({ HITL_STREAM_RECHECK_MS: "6000" })).toThrow(/HITL_STREAM_RECHECK_MS/);
  });

  it(`40 at once from one key: exactly ${MAX} open, the rest 429 with Retry-After; another key is not touched; leaving frees every slot`, async () => {
    const [a, b] = [await submit(api.f.alpha.key), await submit(api.f.alpha.key)];
    const other = await submit(api.f.beta.key);
    const all = Array.from({ length: 40 }, (_, i) =>
      open(i % 2 === 0 ? "stream" : "wait", (i % 4 < 2 ? a : b).task_id, api.f.alpha.key),
    );
    // Streams answer at once; a long poll holding a slot answers only when its wait ends.
    const refused = () => all.filter((c) => c.state.response?.status === 429);
    expect(await eventually(() => refused().length >= 40 - MAX, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    const streams = all.filter((c) => c.kind === "stream" && c.state.response?.status === 200);
    const waiting = all.filter((c) => c.kind === "wait" && c.state.response === null);
    expect({
      refused: refused().length,
      open: streams.length + waiting.length,
      slots: alphaSlots(),
    }).toEqual({ refused: 40 - MAX, open: MAX, slots: MAX });
    for (const c of refused()) {
      const r = await readResponse(c.state.response as Response);
      expect(errorShape.parse(r.json).error.code).toBe("limit");
      expect(r.json.error.message).toContain("HITL_MAX_STREAMS_PER_KEY");
      expect(r.json.error.details).toEqual({ limit: MAX, setting: "HITL_MAX_STREAMS_PER_KEY" });
      expect(r.headers.get("retry-after")).toBe("5");
    }
    expect(
      (await api.call("GET", `/api/tasks/${a.task_id}?wait=1`, { key: api.f.alpha.key })).status,
    ).toBe(429);

    // Another key has all its own slots.
    const beta = open("stream", other.task_id, api.f.beta.key);
    expect((await beta.answered).status).toBe(200);
    const betaWait = await api.call("GET", `/api/tasks/${other.task_id}?wait=1`, {
      key: api.f.beta.key,
    });
    expect(betaWait.status, betaWait.text).toBe(200);

    // Leave every way: cancel a stream's body, abort a stream's request, abort a wait.
    for (const [i, c] of streams.entries()) {
      if (i % 2 === 0) await ((c.state.response as Response).body as ReadableStream).cancel();
      else c.abort.abort();
    }
    for (const c of waiting) c.abort.abort();
    await Promise.all(waiting.map((c) => c.answered));
    await ((beta.state.response as Response).body as ReadableStream).cancel();
    expect(await eventually(() => alphaSlots() === 0)).toBe(true);
    expect(openStreams(`key:${api.f.beta.keyId}`)).toBe(0);

    // All the slots are free again, and still no more than them.
    const again = Array.from({ length: MAX }, () => open("stream", a.task_id, api.f.alpha.key));
    expect((await Promise.all(again.map((c) => c.answered))).map((r) => r.status)).toEqual(
      Array(MAX).fill(200),
    );
    const over = await api.call("GET", `/api/tasks/${a.task_id}/events`, {
      key: api.f.alpha.key,
    });
    expect(over.status).toBe(429);

    // A stream the server ends (its request closed) gives its slot back too.
    const approved = await api.call("POST", `/api/hitl/actions/${a.approval_request_id}/approve`, {
      key: await api.reviewerKey("lead"),
      body: { justification: "Checked" },
    });
    expect(approved.status, approved.text).toBe(200);
    const ended = await Promise.all(
      again.map((c) =>
        ends(((c.state.response as Response).body as ReadableStream).getReader(), 5000),
      ),
    );
    expect(ended.every(Boolean)).toBe(true);
    expect(alphaSlots()).toBe(0);
  }, 60_000);

  it("a revoked key's stream closes, and its wait answers 401, within 8 s", async () => {
    const created = await createApiKey(api.f.t.db, TEST_OPERATOR, {
      agent: "revoked-soon",
      owner: PEOPLE.owner.email,
    });
    const task = await submit(created.key);
    const stream = open("stream", task.task_id, created.key);
    const response = await stream.answered;
    expect(response.status).toBe(200);
    const wait = open("wait", task.task_id, created.key);
    expect(await eventually(() => openStreams(`key:${created.id}`) === 2)).toBe(true);

    const revokedAt = Date.now();
    await revokeApiKey(api.f.t.db, TEST_OPERATOR, created.id);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const [closed, answer] = await Promise.all([ends(reader, 8000), wait.answered]);
    const waited = await readResponse(answer);
    expect({ closed, wait: waited.status, code: waited.json?.error?.code }).toEqual({
      closed: true,
      wait: 401,
      code: "unauthorized",
    });
    expect(Date.now() - revokedAt).toBeLessThan(8000);
    expect(openStreams(`key:${created.id}`)).toBe(0);
  }, 20_000);

  it("a reviewer key's stream closes, and its wait answers, once its person is disabled", async () => {
    const key = await api.reviewerKey("ops3");
    const task = await submit(api.f.alpha.key);
    const stream = open("stream", task.task_id, key);
    const response = await stream.answered;
    expect(response.status).toBe(200);
    const wait = open("wait", task.task_id, key);
    const slots = () => openStreams(`reviewer:${api.f.users.ops3.id}`);
    expect(await eventually(() => slots() === 2)).toBe(true);

    const disabledAt = Date.now();
    await execRows(
      api.f.t.db,
      sql`UPDATE users SET disabled_at = now() WHERE id = ${api.f.users.ops3.id}`,
    );
    try {
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const [closed, answer] = await Promise.all([ends(reader, 8000), wait.answered]);
      expect({ closed, wait: answer.status }).toEqual({ closed: true, wait: 401 });
      expect(Date.now() - disabledAt).toBeLessThan(8000);
      expect(slots()).toBe(0);
    } finally {
      await execRows(
        api.f.t.db,
        sql`UPDATE users SET disabled_at = NULL WHERE id = ${api.f.users.ops3.id}`,
      );
    }
  }, 20_000);

  describe("the dashboard's live feed", () => {
    const openFeed = async (as: UserPrincipal, signal?: AbortSignal) => {
      const { GET } = await import("@/app/api/dashboard/events/route");
      signedIn.as = as;
      return GET(new Request("http://airlock.test/api/dashboard/events", { signal }), {
        params: Promise.resolve({}),
      });
    };

    it(`holds ${MAX} per person, apart from their reviewer keys, and closes once they are disabled`, async () => {
      const lead2 = api.f.as.lead2;
      const feeds = await Promise.all(Array.from({ length: MAX }, () => openFeed(lead2)));
      expect(feeds.map((r) => r.status)).toEqual(Array(MAX).fill(200));
      const over = await readResponse(await openFeed(lead2));
      expect(over.status).toBe(429);
      expect(over.json.error.message).toContain("HITL_MAX_STREAMS_PER_KEY");
      expect(over.headers.get("retry-after")).toBe("5");
      // The same person's reviewer key, and another person's session, have their own slots.
      const task = await submit(api.f.alpha.key);
      const byKey = open("stream", task.task_id, await api.reviewerKey("lead2"));
      expect((await byKey.answered).status).toBe(200);
      const abort = new AbortController();
      const otherFeed = await openFeed(api.f.as.lead, abort.signal);
      expect(otherFeed.status).toBe(200);

      const disabledAt = Date.now();
      await execRows(
        api.f.t.db,
        sql`UPDATE users SET disabled_at = now() WHERE id = ${lead2.userId}`,
      );
      try {
        const closed = await Promise.all(
          [...feeds, byKey.state.response as Response].map((r) =>
            ends((r.body as ReadableStream<Uint8Array>).getReader(), 8000),
          ),
        );
        expect(closed.every(Boolean)).toBe(true);
        expect(Date.now() - disabledAt).toBeLessThan(8000);
        expect(openStreams(`session:${lead2.userId}`)).toBe(0);
        expect(openStreams(`reviewer:${lead2.userId}`)).toBe(0);
        // The other person's feed is still open, until they leave.
        expect(openStreams(`session:${api.f.users.lead.id}`)).toBe(1);
        abort.abort();
        expect(await eventually(() => openStreams(`session:${api.f.users.lead.id}`) === 0)).toBe(
          true,
        );
      } finally {
        await execRows(
          api.f.t.db,
          sql`UPDATE users SET disabled_at = NULL WHERE id = ${lead2.userId}`,
        );
      }
    }, 20_000);
  });

  describe("a stream that fails", () => {
    it("gives its slot back when it cannot start, and when its caller cannot be checked", async () => {
      const req = () => new Request("http://airlock.test/stream");
      const broken = eventStream(
        req(),
        holdStream("test:broken", async () => {}),
        async () => {
          throw new Error("subscribing failed");
        },
      );
      expect(await ends((broken.body as ReadableStream<Uint8Array>).getReader(), 1000)).toBe(true);
      expect(openStreams("test:broken")).toBe(0);

      // The database lost mid-stream: unverifiable is not verified.
      let released = false;
      const lost = eventStream(
        req(),
        holdStream("test:lost", async () => {
          throw new Error("connection terminated");
        }),
        async () => () => {
          released = true;
        },
      );
      expect(openStreams("test:lost")).toBe(1);
      expect(
        await ends((lost.body as ReadableStream<Uint8Array>).getReader(), RECHECK_MS * 8),
      ).toBe(true);
      expect({ released, slots: openStreams("test:lost") }).toEqual({ released: true, slots: 0 });
    });
  });
});
