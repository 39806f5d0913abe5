import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, logDestination, requestIdOf, withRequestId } from "./log";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(stream), lines };
}

describe("the structured log", () => {
  it("writes JSON lines that never carry a key, a secret, a password or a token", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        headers: { authorization: "Bearer alk_live_key", cookie: "next-auth.session-token=abc" },
        body: {
          password: "hunter22",
          webhook_secret: "whsec_abc",
          nested: { key: "alk_x", token: "t0k" },
        },
        user: { email: "ops@example.com" },
      },
      "request",
    );
    const text = lines.join("\n");
    for (const secret of [
      "alk_live_key",
      "session-token=abc",
      "hunter22",
      "whsec_abc",
      "alk_x",
      "t0k",
    ]) {
      expect(text).not.toContain(secret);
    }
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line).toMatchObject({
      msg: "request",
      app: "airlock",
      user: { email: "ops@example.com" },
    });
    expect(line.headers.authorization).toBe("[redacted]");
  });

  it("names the request on every line logged while it is handled", async () => {
    const { logger, lines } = capture();
    await withRequestId("req-42", async () => {
      await Promise.resolve();
      logger.warn("inside");
    });
    logger.info("outside");
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ msg: "inside", request_id: "req-42" });
    expect(JSON.parse(lines[1] ?? "{}").request_id).toBeUndefined();
  });

  it("keeps a caller's sane X-Request-Id and replaces anything else", () => {
    expect(requestIdOf("abc-123_x.y:z")).toBe("abc-123_x.y:z");
    expect(requestIdOf(null)).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdOf("has spaces")).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdOf("x".repeat(129))).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("LOG_FILE", () => {
  it("appends every logger's lines to the file (its folder made), redacted as on stderr", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "airlock-log-"));
    try {
      const file = path.join(dir, "logs", "app.log");
      const one = createLogger(logDestination(file));
      const two = createLogger(logDestination(file));
      one.info({ password: "hunter22" }, "first");
      two.warn("second");
      one.info("third");
      const lines = readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.msg)).toEqual(["first", "second", "third"]);
      expect(lines[0].password).toBe("[redacted]");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
