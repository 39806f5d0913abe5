// Where a sign-in comes from, for the per-address limit. Next.js gives a route handler no
// socket address: it only fills in X-Forwarded-For with it when the request arrived without
// one, so whoever connects directly can write any address there. Each proxy in front of
// Airlock appends the address it was connected from, so with `trustedProxies` of them the
// entry the outermost one appended is the client's, and everything left of it is the
// client's to invent.
import { isIP } from "node:net";

/**
 * The client's address by X-Forwarded-For, believing `trustedProxies` proxies in front: the
 * last entry behind one proxy, the second to last behind two. Null with no proxies (the header
 * is anyone's), and when the header is missing, too short or not an address there: no address
 * limit beats one keyed on a value an attacker picks.
 */
export function clientAddress(forwardedFor: unknown, trustedProxies: number): string | null {
  if (trustedProxies < 1 || typeof forwardedFor !== "string") return null;
  const entries = forwardedFor.split(",").map((entry) => entry.trim());
  if (entries.length < trustedProxies) return null;
  const entry = (entries[entries.length - trustedProxies] as string).toLowerCase();
  if (isIP(entry) === 0) return null;
  // A dual-stack listener reports an IPv4 client as ::ffff:a.b.c.d: the same client either way.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(entry);
  return mapped ? (mapped[1] as string) : entry;
}
