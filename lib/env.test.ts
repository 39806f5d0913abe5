import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

describe("parseEnv", () => {
  it("gives the documented defaults for an empty environment", () => {
    const e = parseEnv({});
    expect(e).toMatchObject({
      NODE_ENV: "development",
      AIRLOCK_DATA_DIR: ".data",
      HITL_CONFIG_DIR: "config/hitl",
      HITL_DEFAULT_RISK_LEVEL: "medium",
      HITL_AUTO_APPROVE_LOW_RISK: true,
      HITL_DEFAULT_REQUIRES_APPROVAL: true,
    });
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e.HITL_CALLBACK_ALLOWED_HOSTS.text).toBe("external");
  });

  it.each([
    ["true", true],
    ["1", true],
    ["yes", true],
    ["false", false],
    ["0", false],
    ["no", false],
  ])("reads HITL_AUTO_APPROVE_LOW_RISK=%s as %s", (raw, expected) => {
    expect(parseEnv({ HITL_AUTO_APPROVE_LOW_RISK: raw }).HITL_AUTO_APPROVE_LOW_RISK).toBe(expected);
  });

  it("treats an empty DATABASE_URL as unset (embedded database)", () => {
    expect(parseEnv({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL: expected a postgres:// or postgresql:// URL"],
    [{ HITL_DEFAULT_RISK_LEVEL: "severe" }, "HITL_DEFAULT_RISK_LEVEL"],
    [{ HITL_AUTO_APPROVE_LOW_RISK: "maybe" }, "HITL_AUTO_APPROVE_LOW_RISK: expected true or false"],
    [{ HITL_MAX_OPEN_PER_AGENT: "-3" }, "HITL_MAX_OPEN_PER_AGENT"],
    [
      { HITL_NOTIFY_WEBHOOK_URLS: "ftp://x/y" },
      "HITL_NOTIFY_WEBHOOK_URLS.0: expected http(s) URLs",
    ],
    [
      { HITL_NOTIFY_WEBHOOK_URLS: "https://hooks.example/a" },
      "HITL_NOTIFY_WEBHOOK_SECRET: required with HITL_NOTIFY_WEBHOOK_URLS",
    ],
    [{ HITL_NOTIFY_WEBHOOK_FORMAT: "xml" }, "HITL_NOTIFY_WEBHOOK_FORMAT"],
    [{ SMTP_URL: "mail.example" }, "SMTP_URL: expected smtp://"],
    [{ HITL_NOTIFY_EMAIL_TO: "ops@example.com, not-an-address" }, "HITL_NOTIFY_EMAIL_TO.1"],
    [{ SLACK_BOT_TOKEN: "xoxb-1" }, "SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN"],
    [{ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "short" }, "SLACK_SIGNING_SECRET"],
    [{ SLACK_API_URL: "slack.example/api" }, "SLACK_API_URL: expected an http(s) URL"],
    [
      { HITL_CALLBACK_ALLOWED_HOSTS: "external, intranet!" },
      'HITL_CALLBACK_ALLOWED_HOSTS: "intranet!" is not external, loopback, private, *',
    ],
    [
      {
        HITL_NOTIFY_WEBHOOK_URLS: "https://a.example/hook, http://169.254.169.254/latest",
        HITL_NOTIFY_WEBHOOK_SECRET: "0123456789abcdef",
      },
      "HITL_NOTIFY_WEBHOOK_URLS: http://169.254.169.254/latest: 169.254.169.254 is a link-local address",
    ],
  ])("refuses %o naming the variable", (source, message) => {
    expect(() => parseEnv(source)).toThrow(EnvError);
    expect(() => parseEnv(source)).toThrow(message);
  });

  it("reads the notification channels: comma-separated URLs and addresses", () => {
    const e = parseEnv({
      HITL_NOTIFY_WEBHOOK_URLS: " https://a.example/hook , http://127.0.0.1:9/b ",
      HITL_NOTIFY_WEBHOOK_SECRET: "0123456789abcdef",
      HITL_CALLBACK_ALLOWED_HOSTS: "external,loopback",
      HITL_NOTIFY_EMAIL_TO: "ops@example.com,lead@example.com",
      SMTP_URL: "smtp://user:pw@mail.example:2525",
    });
    expect(e.HITL_NOTIFY_WEBHOOK_URLS).toEqual(["https://a.example/hook", "http://127.0.0.1:9/b"]);
    expect(e.HITL_NOTIFY_EMAIL_TO).toEqual(["ops@example.com", "lead@example.com"]);
    expect(parseEnv({}).HITL_NOTIFY_WEBHOOK_URLS).toEqual([]);
  });
});
