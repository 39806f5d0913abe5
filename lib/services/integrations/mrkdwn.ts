// Text in Slack's mrkdwn: the Slack messages and modals (slack.ts) and the Slack-compatible
// notification webhook (notify.ts). Text from agents reaches both (SPEC §8.1).
import { visibleText } from "@/lib/hitl/text";

/**
 * Text as mrkdwn shows it literally: `&`, `<` and `>` escaped — the only characters Slack reads
 * as control sequences — so no text can mention (`<!channel>`, `<@U…>`) or link
 * (`<https://…|Approve here>`); and hidden characters shown as markers (`⟨U+202E⟩`).
 */
export function mrkdwn(s: string): string {
  return visibleText(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
