// The action's identifiers (SPEC §8.1): what an agent may spell them with, and what is stored
// and assessed. The 422 these issues become is lib/services/validation.ts's; the route's is
// lib/api/identifiers.db.test.ts. And how people and decision channels read in words.
import { describe, expect, it } from "vitest";
import { loadHitlConfig } from "@/lib/config/load";
import { assess } from "@/lib/hitl";
import { UNPROCESSABLE } from "./json";
import { actionSchema, personWords, submitTaskSchema, viaWords } from "./tasks";

const ruleSet = loadHitlConfig({ dir: "config/hitl" }).ruleSet;
const IDENTIFIERS = ["type", "operation", "environment", "resource_type"] as const;
const action = (fields: Record<string, unknown>) => ({
  type: "COMMUNICATION.SEND_EMAIL",
  description: "Email a customer",
  inputs: { to: "ceo@customer.example" },
  ...fields,
});

/** The issues of a refused action, as [path, message, refused-as-422]. */
function issuesOf(input: unknown): [string, string, boolean][] {
  const result = actionSchema.safeParse(input);
  if (result.success) throw new Error(`accepted ${JSON.stringify(input)}`);
  return result.error.issues.map((i) => [
    i.path.join("."),
    i.message,
    i.code === "custom" && i.params?.unprocessable === UNPROCESSABLE.unprocessable,
  ]);
}

describe("action identifiers", () => {
  it("the plain spelling is critical: the baseline the look-alikes must not escape", () => {
    expect(assess(ruleSet, actionSchema.parse(action({}))).level).toBe("critical");
  });

  it("a fullwidth spelling is normalised (NFKC) to the same identifier, stored and assessed so", () => {
    const parsed = actionSchema.parse(action({ type: "ＣＯＭＭＵＮＩＣＡＴＩＯＮ.SEND_EMAIL" }));
    expect(parsed.type).toBe("COMMUNICATION.SEND_EMAIL");
    expect(assess(ruleSet, parsed).level).toBe("critical");
  });

  it.each([
    ["a zero-width space", "COMMUNICATION.SEND_EMA\u200bIL", "U+200B at character 23"],
    ["a right-to-left override", "COMMUNICATION.\u202eLIAME_DNES", "U+202E at character 15"],
    ["a Cyrillic А", "COMMUNIC\u0410TION.SEND_EMAIL", "U+0410 at character 9"],
    ["a space", "COMMUNICATION SEND_EMAIL", "a space at character 14"],
    ["punctuation", "COMMUNICATION.SEND_EMAIL!", '"!" at character 25'],
    ["a soft hyphen", "COMMUNICATION.SEND_\u00adEMAIL", "U+00AD at character 20"],
    ["a word joiner", "\u2060COMMUNICATION.SEND_EMAIL", "U+2060 at character 1"],
  ])("refuses %s in the type, as 422 naming the field", (_what, type, where) => {
    expect(issuesOf(action({ type }))).toEqual([
      [
        "type",
        `must be an identifier of letters, digits and . _ : / - (printable ASCII, after NFKC normalisation); ${where} is not allowed`,
        true,
      ],
    ]);
  });

  it.each(IDENTIFIERS.slice(1))(
    "refuses a look-alike in %s the same way, naming that field",
    (field) => {
      expect(issuesOf(action({ [field]: "prod\u200buction" }))).toEqual([
        [field, expect.stringContaining("U+200B at character 5 is not allowed"), true],
      ]);
    },
  );

  it("names each bad identifier of a body, under action", () => {
    const result = submitTaskSchema.safeParse({
      workflow_id: "wf",
      agent_name: "agent",
      action: action({ type: "SEND\u200bMAIL", environment: "prod\u202e" }),
    });
    expect(result.error?.issues.map((i) => i.path.join("."))).toEqual([
      "action.type",
      "action.environment",
    ]);
  });

  it("keeps what an identifier may have: letters, digits and . _ : / -, trimmed", () => {
    const parsed = actionSchema.parse(
      action({
        type: " ns:Resource/path-1.v2_x ",
        operation: "delete",
        environment: "prod-eu-1",
        resource_type: "s3:bucket",
      }),
    );
    expect(parsed).toMatchObject({
      type: "ns:Resource/path-1.v2_x",
      operation: "delete",
      environment: "prod-eu-1",
      resource_type: "s3:bucket",
    });
  });

  it.each([
    ["empty", "", "must not be empty"],
    ["blank", " \u3000 ", "must not be empty"],
    ["NUL", "a\u0000b", "must not contain NUL characters"],
    ["over 100 characters", "a".repeat(101), "must be at most 100 characters"],
    // NFKC may lengthen a value: the bound holds for what is stored.
    ["over 100 once normalised", "\u3392".repeat(34), "must be at most 100 characters"],
  ])("refuses an operation %s as malformed (400), not 422", (_what, operation, message) => {
    expect(issuesOf(action({ operation }))).toEqual([["operation", message, false]]);
  });
});

describe("people and channels in words (SPEC §8.2)", () => {
  const id = "00000000-0000-4000-8000-000000000001";
  it.each([
    [{ id, email: "ada@example.com", name: "Ada Lovelace" }, "Ada Lovelace <ada@example.com>"],
    [{ id, email: "ada@example.com", name: null }, "ada@example.com"],
    [{ id, email: "ada@example.com", name: "" }, "ada@example.com"],
  ])("names %j as %s", (person, words) => {
    expect(personWords(person)).toBe(words);
  });

  it.each([
    [{ channel: "browser", os_user: null }, "via the browser"],
    [{ channel: "api", os_user: null }, "via the API"],
    [{ channel: "slack", os_user: null }, "via Slack"],
    [{ channel: "cli", os_user: "alice" }, "via the CLI (OS user alice)"],
    [{ channel: "cli", os_user: null }, "via the CLI"],
  ] as const)("says %j as %s", (via, words) => {
    expect(viaWords(via)).toBe(words);
  });
});
