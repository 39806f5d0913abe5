// next-auth 4: a password sign-in over the users table and, when configured, a generic OIDC
// provider whose groups map to roles. Sessions are JWTs carrying the user id and the role at
// sign-in; authorization never trusts the role in the token (services re-read it).
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { getDb } from "@/db/client";
import { sameOriginRedirect } from "@/lib/auth/callback-url";
import { clientAddress } from "@/lib/auth/client-address";
import { env } from "@/lib/env";
import type { Role } from "@/lib/hitl";
import { signInWithIdentity, signInWithPassword } from "@/lib/services/accounts/sign-in";
import { isServiceError } from "@/lib/services/errors";

const EIGHT_HOURS = 8 * 60 * 60;

interface OidcProfile {
  sub: string;
  email?: string;
  name?: string;
  preferred_username?: string;
  [claim: string]: unknown;
}

/** The generic OIDC provider, when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are set. */
export function oidcProvider(): OAuthConfig<OidcProfile> | null {
  const e = env();
  if (!e.OIDC_ISSUER || !e.OIDC_CLIENT_ID || !e.OIDC_CLIENT_SECRET) return null;
  const issuer = e.OIDC_ISSUER.replace(/\/$/, "");
  return {
    id: "oidc",
    name: e.OIDC_NAME,
    type: "oauth",
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    issuer,
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile(profile) {
      return {
        id: profile.sub,
        email: profile.email ?? null,
        name: profile.name ?? profile.preferred_username ?? null,
      };
    },
  };
}

function groupsOf(profile: Record<string, unknown> | undefined): string[] {
  const claim = profile?.[env().OIDC_ROLE_CLAIM];
  if (Array.isArray(claim)) return claim.filter((g): g is string => typeof g === "string");
  return typeof claim === "string" ? [claim] : [];
}

export function authOptions(): NextAuthOptions {
  const e = env();
  const oidc = oidcProvider();
  return {
    secret: e.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: EIGHT_HOURS },
    jwt: { maxAge: EIGHT_HOURS },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: {
          email: { label: "Email", type: "email" },
          password: { label: "Password", type: "password" },
        },
        async authorize(credentials, req) {
          const email = typeof credentials?.email === "string" ? credentials.email : "";
          const password = typeof credentials?.password === "string" ? credentials.password : "";
          const { db } = await getDb();
          try {
            const user = await signInWithPassword(db, {
              email,
              password,
              address: clientAddress(req?.headers?.["x-forwarded-for"], e.HITL_TRUSTED_PROXIES),
            });
            if (!user || user.disabled) return null;
            return { id: user.id, email: user.email, name: user.name, role: user.role };
          } catch (error) {
            // "Too many failed sign-ins": shown on the sign-in page as it is.
            if (isServiceError(error)) throw new Error(error.message);
            throw error;
          }
        },
      }),
      ...(oidc ? [oidc] : []),
    ],
    callbacks: {
      // The login page's rule for every redirect next-auth makes (after OIDC, after sign-out).
      async redirect(params) {
        return sameOriginRedirect(params);
      },
      async signIn({ user, account, profile }) {
        if (account?.provider !== "oidc") return true;
        const { db } = await getDb();
        try {
          const found = await signInWithIdentity(
            db,
            {
              provider: "oidc",
              subject: account.providerAccountId,
              email: user.email ?? null,
              name: user.name ?? null,
              groups: groupsOf(profile as Record<string, unknown> | undefined),
            },
            e.OIDC_ROLE_MAP,
          );
          // From here on the session is about our user, not the provider's account.
          user.id = found.id;
          user.role = found.role;
          user.email = found.email;
          return true;
        } catch (error) {
          if (!isServiceError(error)) throw error;
          return `/login?error=${encodeURIComponent(error.message)}`;
        }
      },
      async jwt({ token, user }) {
        if (user) {
          token.uid = user.id;
          token.role = user.role as Role;
        }
        return token;
      },
      async session({ session, token }) {
        session.user = {
          id: token.uid ?? "",
          role: token.role ?? "viewer",
          email: token.email ?? "",
          name: token.name ?? null,
        };
        return session;
      },
    },
  };
}
