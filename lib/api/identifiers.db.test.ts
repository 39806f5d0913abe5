// An action's identifiers through the real routes (SPEC §8.1): a look-alike is a 422 naming the
// field that stores nothing; an NFKC-equivalent spelling is stored and assessed as the plain one.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execRows } from "@/db/client";
import { type ApiHarness, createApiHarness, errorShape, fieldDetails } from "@/test-support/api";
import { ACTIONS, taskBody } from "@/test-support/services";

describe("action identifiers through the API", () => {
  let api: ApiHarness;
  let agent: string;
  beforeAll(async () => {
    api = await createApiHarness();
    agent = api.f.alpha.key;
  });
  afterAll(async () => {
    await api?.f.t.destroy();
  });

  /** Rows of every table a submit writes. */
  async function rows(): Promise<unknown> {
    const [counts] = await execRows(
      api.f.t.db,
      sql`SELECT (SELECT count(*) FROM tasks)::int AS tasks,
        (SELECT count(*) FROM approval_requests)::int AS requests,
        (SELECT count(*) FROM audit_events)::int AS events,
        (SELECT count(*) FROM outbox)::int AS outbox`,
    );
    return counts;
  }

  it.each([
    ["a zero-width space", "action.type", { type: "COMMUNICATION.SEND_EMA\u200bIL" }, "U+200B"],
    ["a bidi override", "action.type", { type: "COMMUNICATION.\u202eLIAME_DNES" }, "U+202E"],
    ["a Cyrillic А", "action.type", { type: "COMMUNIC\u0410TION.SEND_EMAIL" }, "U+0410"],
    ["a space", "action.operation", { operation: "send email" }, "a space"],
    ["a zero-width joiner", "action.environment", { environment: "prod\u200duction" }, "U+200D"],
    ["a soft hyphen", "action.resource_type", { resource_type: "data\u00adbase" }, "U+00AD"],
  ])(
    "POST /api/tasks with %s in %s: 422 naming the field, nothing stored",
    async (_what, path, fields, char) => {
      const before = await rows();
      const r = await api.call("POST", "/api/tasks", {
        key: agent,
        body: taskBody({ ...ACTIONS.critical, ...fields }),
      });
      expect(r.status, r.text).toBe(422);
      expect(errorShape.safeParse(r.json).success).toBe(true);
      expect(r.json.error.code).toBe("unprocessable");
      expect(r.json.error.message).toContain(path);
      const details = fieldDetails.parse(r.json.error.details);
      expect(details).toEqual([{ path, message: expect.stringContaining(`${char} at character`) }]);
      expect(details[0]?.message).toContain("letters, digits and . _ : / -");
      expect(await rows()).toEqual(before);
    },
  );

  it("POST /api/hitl/assess-risk refuses the same look-alike with the same 422", async () => {
    const r = await api.call("POST", "/api/hitl/assess-risk", {
      key: agent,
      body: { ...ACTIONS.critical, type: "COMMUNICATION.SEND_EMA\u200bIL" },
    });
    expect(r.status, r.text).toBe(422);
    expect(r.json.error.details).toEqual([
      { path: "type", message: expect.stringContaining("U+200B at character 23") },
    ]);
  });

  it("a bad identifier beside a malformed field is a 400 naming both", async () => {
    const r = await api.call("POST", "/api/tasks", {
      key: agent,
      body: taskBody({ ...ACTIONS.critical, type: "SEND\u200bMAIL" }, { agent_name: "" }),
    });
    expect(r.status, r.text).toBe(400);
    expect(fieldDetails.parse(r.json.error.details).map((d) => d.path)).toEqual([
      "agent_name",
      "action.type",
    ]);
  });

  it("a fullwidth type is stored and assessed as the plain one: critical", async () => {
    const r = await api.call("POST", "/api/tasks", {
      key: agent,
      body: taskBody({ ...ACTIONS.critical, type: "ＣＯＭＭＵＮＩＣＡＴＩＯＮ.SEND_EMAIL" }),
    });
    expect(r.status, r.text).toBe(201);
    expect(r.json.risk.level).toBe("critical");
    const task = await api.call("GET", `/api/tasks/${r.json.task_id}`, { key: agent });
    expect(task.json.action.type).toBe("COMMUNICATION.SEND_EMAIL");
    const [row] = await execRows<{ action_type: string }>(
      api.f.t.db,
      sql`SELECT action_type FROM approval_requests WHERE id = ${r.json.approval_request_id}`,
    );
    expect(row?.action_type).toBe("COMMUNICATION.SEND_EMAIL");
  });
});
