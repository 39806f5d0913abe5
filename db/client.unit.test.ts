import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable, retryWhileUnavailable } from "./client";

const cut = () =>
  Object.assign(new Error("terminating connection due to administrator command"), {
    code: "57P01",
  });

describe("isDatabaseUnavailable", () => {
  it("knows the drivers' lost connections, with or without a code, however wrapped", () => {
    expect(isDatabaseUnavailable(cut())).toBe(true);
    expect(
      isDatabaseUnavailable(Object.assign(new Error("x"), { code: "CONNECTION_CLOSED" })),
    ).toBe(true);
    // pg (the checkpointer's driver) says these without a code.
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(
      isDatabaseUnavailable(
        new Error("Failed query: update …", {
          cause: new Error("Client has encountered a connection error and is not queryable"),
        }),
      ),
    ).toBe(true);
  });

  it("does not take a wrong query, or a message with a code of its own, for an outage", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("dup"), { code: "23505" }))).toBe(false);
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error("Connection terminated unexpectedly"), { code: "42P01" }),
      ),
    ).toBe(false);
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly!"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

describe("retryWhileUnavailable", () => {
  it("tries again while the database is away, and answers once it is back", async () => {
    let calls = 0;
    const answer = await retryWhileUnavailable(async () => {
      if (++calls < 3) throw cut();
      return "written";
    }, 5000);
    expect({ answer, calls }).toEqual({ answer: "written", calls: 3 });
  });

  it("throws any other error at once", async () => {
    let calls = 0;
    const wrong = Object.assign(new Error("duplicate key"), { code: "23505" });
    await expect(
      retryWhileUnavailable(async () => {
        calls++;
        throw wrong;
      }, 5000),
    ).rejects.toBe(wrong);
    expect(calls).toBe(1);
  });

  it("gives up with the last outage error when its budget is spent", async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      retryWhileUnavailable(async () => {
        calls++;
        throw cut();
      }, 300),
    ).rejects.toMatchObject({ code: "57P01" });
    // 50 + 100 ms of waits fit in 300 ms; the next (200 ms) would not.
    expect(calls).toBe(3);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
