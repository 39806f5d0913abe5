// POST /api/integrations/slack/interactions — Slack's button clicks and modal submissions,
// verified by their v0 signature over the raw body (lib/services/integrations/slack.ts). Answered at once;
// what goes back to Slack (a modal, an ephemeral note) is sent after the answer.
import { after } from "next/server";
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute, readLimited } from "@/lib/api/route";
import { handleSlackInteraction } from "@/lib/services/integrations/slack";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/integrations/slack/interactions",
  auth: "public",
  doc: {
    summary:
      "Slack's button clicks and modal submissions: a form-encoded `payload`, signed by Slack (X-Slack-Signature v0 over the raw body, X-Slack-Request-Timestamp within 5 minutes)",
    ok: {
      status: 200,
      description: "Empty, or a modal's field errors (`response_action: errors`)",
    },
    errors: [400, 401, 404, 413],
  },
  async handler({ req, db }) {
    const answer = await handleSlackInteraction(db, {
      rawBody: await readLimited(req),
      timestamp: req.headers.get("x-slack-request-timestamp"),
      signature: req.headers.get("x-slack-signature"),
    });
    after(answer.followUp);
    if (answer.body === null) return new Response(null, { status: answer.status });
    return { status: answer.status, body: answer.body };
  },
});

export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(["POST"]);
