"use server";
// Server actions the dashboard needs beyond actions.ts, through the same wrapper: the session,
// zod, the service (which checks who may), a typed result.
import { serverAction } from "@/lib/auth/action";
import { getRecentlyDecided, recentQuerySchema } from "@/lib/services/requests/recent";

export const loadRecent = serverAction("recent", recentQuerySchema, ({ db, principal }, q) =>
  getRecentlyDecided(db, principal, q),
);
