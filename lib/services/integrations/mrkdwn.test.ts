import { describe, expect, it } from "vitest";
import { mrkdwn } from "./mrkdwn";

describe("mrkdwn", () => {
  it.each([
    [
      "<!channel> <https://evil.example|Approve here>",
      "&lt;!channel&gt; &lt;https://evil.example|Approve here&gt;",
    ],
    ["<@U0LEAD> <!subteam^S1> <#C1>", "&lt;@U0LEAD&gt; &lt;!subteam^S1&gt; &lt;#C1&gt;"],
    ["<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"],
    // Escaped once: an agent's own "&lt;" stays the text it typed.
    ["a &lt; b & c", "a &amp;lt; b &amp; c"],
    ["pay \u202eevil\u202c now\u200b", "pay ⟨U+202E⟩evil⟨U+202C⟩ now⟨U+200B⟩"],
    ["Deploy the auth service", "Deploy the auth service"],
  ])("%j → %j", (text, shown) => {
    expect(mrkdwn(text)).toBe(shown);
  });
});
