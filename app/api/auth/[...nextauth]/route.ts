// GET|POST /api/auth/* — next-auth: sign-in (password, OIDC), callbacks, session, sign-out
import NextAuth from "next-auth";
import { otherMethods } from "@/lib/api/fallback";
import { authOptions } from "@/lib/auth/options";

export const dynamic = "force-dynamic";

type Handler = (
  req: Request,
  ctx: { params: Promise<{ nextauth: string[] }> },
) => Promise<Response>;

// Built per request, so the options read the environment the server was started with.
const handler: Handler = (req, ctx) => NextAuth(authOptions())(req, ctx) as Promise<Response>;

export { handler as GET, handler as POST };

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
