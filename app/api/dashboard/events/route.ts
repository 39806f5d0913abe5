// GET /api/dashboard/events — server-sent events for the signed-in dashboard: one `change`
// event per request that changed (id and status), from the same LISTEN/NOTIFY hub the agents'
// waits use. The page re-reads what it shows; a lost event only delays (it also polls).
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { eventStream } from "@/lib/api/sse";
import { currentUser } from "@/lib/services/accounts/sign-in";
import { subscribeToChanges } from "@/lib/services/requests/changes";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "GET /api/dashboard/events",
  auth: "session",
  async handler({ req, db, principal, holdStream }) {
    // A disabled account's session stops here, before the stream starts (and after, within
    // seconds: the stream re-checks the person).
    await currentUser(db, principal);
    return eventStream(req, holdStream(), async (sink) => {
      const unsubscribe = await subscribeToChanges((change) =>
        sink.event("change", { request_id: change.request_id, status: change.status }),
      );
      sink.write(": connected\n\n");
      return unsubscribe;
    });
  },
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
