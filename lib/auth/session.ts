// The signed-in person as a service principal. Pages and server actions go through here;
// what the person may do is decided by the services, from the user record, every time.
import "server-only";
import { getServerSession } from "next-auth";
import type { UserPrincipal } from "@/lib/services/principal";
import { authOptions } from "./options";

export async function sessionPrincipal(): Promise<UserPrincipal | null> {
  const session = await getServerSession(authOptions());
  const id = session?.user?.id;
  return id ? { kind: "user", userId: id } : null;
}
