// The session's claims, typed once (STYLE habit 8): who the person is and the role they held
// when they signed in. The role is for display; every decision re-reads it from the database.
import type { DefaultSession } from "next-auth";
import type { Role } from "@/lib/hitl";

declare module "next-auth" {
  interface Session {
    user: { id: string; role: Role; email: string; name: string | null } & Omit<
      DefaultSession["user"],
      "email" | "name"
    >;
  }
  interface User {
    role?: Role;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    role?: Role;
  }
}
