// Where Airlock may send what an agent asked it to send (SPEC §8.1): a callback URL is the
// agent's word, and an agent may be hostile, so a URL never makes the server POST into its own
// network unless the operator allowed that network. `HITL_CALLBACK_ALLOWED_HOSTS` is a comma
// list of
//   external   public unicast addresses (the default);
//   loopback   127.0.0.0/8 and ::1;
//   private    10/8, 172.16/12, 192.168/16, 100.64/10 (shared) and fc00::/7 (unique local);
//   *          any address at all;
//   a CIDR or a bare address (`10.1.2.0/24`, `fd00::1`);
//   a host glob (`hooks.example.com`, `*.internal.example.com`): that name, whatever it
//   resolves to.
// Link-local addresses (and with them the cloud metadata service at 169.254.169.254),
// `0.0.0.0`, multicast and the reserved ranges are outside every keyword but `*`: only a
// CIDR names them. Every spelling of an address is the address: the URL parser turns hex,
// octal and decimal IPv4 into dotted quads, and an IPv4-mapped IPv6 address is checked as
// the IPv4 address it carries.
//
// A literal address is checked when the URL is given (the submit's 422); a name is resolved
// when the request is made, and the connection goes to the address that was checked, so a
// name that answers differently the second time (DNS rebinding) gains nothing.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { compileGlob, globProblem, type LowerMatcher } from "@/lib/hitl/glob";

type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type AddressKind =
  | "external"
  | "loopback"
  | "private"
  | "link-local"
  | "unspecified"
  | "multicast"
  | "reserved";

type Entry =
  | { kind: "keyword"; allows: "external" | "loopback" | "private" | "any" }
  | { kind: "cidr"; range: [Address, number] }
  | { kind: "glob"; matches: LowerMatcher };

export interface OutboundPolicy {
  /** The setting as written, for messages. */
  readonly text: string;
  readonly entries: readonly Entry[];
}

export const DEFAULT_ALLOWED_HOSTS = "external";

const KEYWORDS: Record<string, Entry> = {
  external: { kind: "keyword", allows: "external" },
  loopback: { kind: "keyword", allows: "loopback" },
  private: { kind: "keyword", allows: "private" },
  "*": { kind: "keyword", allows: "any" },
};

const HOST_GLOB = /^[a-z0-9*?][a-z0-9*?.-]*$/i;

/** The policy a setting describes; throws with every entry that is not one. */
export function parseOutboundPolicy(text: string): OutboundPolicy {
  const entries: Entry[] = [];
  const problems: string[] = [];
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    const keyword = KEYWORDS[item.toLowerCase()];
    if (keyword) {
      entries.push(keyword);
      continue;
    }
    const range = parseRange(item);
    if (range) {
      entries.push({ kind: "cidr", range });
      continue;
    }
    if (HOST_GLOB.test(item) && globProblem(item) === null) {
      entries.push({ kind: "glob", matches: compileGlob(item) });
      continue;
    }
    problems.push(
      `"${item}" is not external, loopback, private, *, an address, a CIDR or a host name`,
    );
  }
  if (problems.length > 0) throw new Error(problems.join("; "));
  if (entries.length === 0) throw new Error("must name at least one kind of host");
  return { text: items.join(","), entries };
}

function parseRange(item: string): [Address, number] | null {
  try {
    if (item.includes("/")) {
      const [address, bits] = ipaddr.parseCIDR(item);
      return [unmapped(address), address.kind() === "ipv6" && isMapped(address) ? bits - 96 : bits];
    }
    if (!isAddressLiteral(item)) return null;
    const address = unmapped(ipaddr.parse(item));
    return [address, address.kind() === "ipv4" ? 32 : 128];
  } catch {
    return null;
  }
}

/** Dotted-quad IPv4 or IPv6 only: ipaddr.js also takes `127.1` and `0x7f.1`, names do not. */
function isAddressLiteral(host: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(host) || ipaddr.IPv6.isValid(host);
}

function isMapped(address: Address): boolean {
  return address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress();
}

/** An IPv4-mapped IPv6 address is the IPv4 address it carries. */
function unmapped(address: Address): Address {
  return isMapped(address) ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

// ::/96 (IPv4-compatible, deprecated) carries an IPv4 address that some stacks still route.
const IPV4_COMPATIBLE = ipaddr.parseCIDR("::/96");

/** What kind of address this is, for the keywords. */
export function addressKind(literal: string): AddressKind {
  const address = unmapped(ipaddr.parse(literal));
  if (address.kind() === "ipv4") {
    switch ((address as ipaddr.IPv4).range()) {
      case "unicast":
        return "external";
      case "loopback":
        return "loopback";
      case "private":
      case "carrierGradeNat":
        return "private";
      case "linkLocal":
        return "link-local";
      case "unspecified":
        return "unspecified";
      case "multicast":
      case "broadcast":
        return "multicast";
      default:
        return "reserved";
    }
  }
  const v6 = address as ipaddr.IPv6;
  switch (v6.range()) {
    case "unicast":
      if (v6.match(IPV4_COMPATIBLE)) return "reserved";
      return "external";
    case "loopback":
      return "loopback";
    case "uniqueLocal":
      return "private";
    case "linkLocal":
      return "link-local";
    case "unspecified":
      return "unspecified";
    case "multicast":
      return "multicast";
    // NAT64, 6to4, Teredo and the rest can carry a private IPv4 address: never "external".
    default:
      return "reserved";
  }
}

/** Whether the policy allows connecting to this address (a literal, any spelling). */
export function addressAllowed(policy: OutboundPolicy, literal: string): boolean {
  const kind = addressKind(literal);
  const address = unmapped(ipaddr.parse(literal));
  return policy.entries.some((entry) => {
    if (entry.kind === "keyword") return entry.allows === "any" || entry.allows === kind;
    if (entry.kind === "cidr") {
      const [network] = entry.range;
      return network.kind() === address.kind() && address.match(entry.range);
    }
    return false;
  });
}

/** Whether a glob of the policy names this host, which is then allowed whatever it resolves to. */
function nameAllowed(policy: OutboundPolicy, host: string): boolean {
  const lower = host.toLowerCase().replace(/\.$/, "");
  return policy.entries.some((entry) => entry.kind === "glob" && entry.matches(lower));
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

function isLocalhostName(host: string): boolean {
  const lower = host.toLowerCase().replace(/\.$/, "");
  return lower === "localhost" || lower.endsWith(".localhost");
}

function refusal(policy: OutboundPolicy, host: string, kind: AddressKind): string {
  // An IPv4-mapped address is named with the IPv4 address it carries.
  const carried = isAddressLiteral(host) ? unmapped(ipaddr.parse(host)).toString() : host;
  const named = carried === host ? host : `${host} (${carried})`;
  return (
    `${named} is ${kind === "external" ? "an" : "a"} ${kind} address, which ` +
    `HITL_CALLBACK_ALLOWED_HOSTS ("${policy.text}") does not allow`
  );
}

/**
 * Why this URL may not be used, judged before any name is resolved (a literal address, or
 * `localhost`), or null. A name is judged again, by its addresses, at delivery.
 */
export function urlProblem(policy: OutboundPolicy, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return "must be http(s)";
  const host = hostOf(parsed);
  if (nameAllowed(policy, host)) return null;
  if (isAddressLiteral(host)) {
    return addressAllowed(policy, host) ? null : refusal(policy, host, addressKind(host));
  }
  if (isLocalhostName(host) && !addressAllowed(policy, "127.0.0.1")) {
    return refusal(policy, host, "loopback");
  }
  return null;
}

export class OutboundRefused extends Error {
  override name = "OutboundRefused";
}

export type Resolver = (host: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/**
 * The addresses of `host` that the policy allows, in the resolver's order; refused with
 * OutboundRefused when it has none (a literal host is its own one address).
 */
export async function allowedAddresses(
  policy: OutboundPolicy,
  host: string,
  resolve: Resolver = systemResolver,
): Promise<LookupAddress[]> {
  if (isAddressLiteral(host)) {
    if (!addressAllowed(policy, host)) {
      throw new OutboundRefused(refusal(policy, host, addressKind(host)));
    }
    return [{ address: host, family: ipaddr.parse(host).kind() === "ipv4" ? 4 : 6 }];
  }
  const all = await resolve(host);
  if (nameAllowed(policy, host)) return all;
  const allowed = all.filter((a) => addressAllowed(policy, a.address));
  const first = all[0];
  if (allowed.length === 0) {
    throw new OutboundRefused(
      first
        ? `${host} resolves to ${refusal(policy, first.address, addressKind(first.address))}`
        : `${host} has no address`,
    );
  }
  return allowed;
}

/**
 * A `lookup` for `http.request` and `net.connect` that hands the socket only addresses the
 * policy allows: the address checked is the address connected to.
 */
export function pinnedLookup(
  policy: OutboundPolicy,
  resolve: Resolver = systemResolver,
): LookupFunction {
  return (host, options, callback) => {
    allowedAddresses(policy, host, resolve).then(
      (addresses) => {
        if (options.all) return callback(null, addresses);
        const first = addresses[0] as LookupAddress;
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
}

// Connections are kept for the next delivery to the same host and port, by policy: each was
// made to an address its policy allowed when it was opened.
const agentsByPolicy = new WeakMap<
  OutboundPolicy,
  { "http:": http.Agent; "https:": https.Agent }
>();
function agentFor(policy: OutboundPolicy, protocol: "http:" | "https:"): http.Agent {
  let agents = agentsByPolicy.get(policy);
  if (!agents) {
    agents = {
      "http:": new http.Agent({ keepAlive: true }),
      "https:": new https.Agent({ keepAlive: true }),
    };
    agentsByPolicy.set(policy, agents);
  }
  return agents[protocol];
}

/**
 * POST `body` to `url`, connecting only to an address the policy allows, following no
 * redirect; resolves with the answer's status (its body is read and dropped). Refused with
 * OutboundRefused before anything is sent when the URL's host is not allowed.
 */
export function postOutbound(input: {
  policy: OutboundPolicy;
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  resolve?: Resolver;
}): Promise<{ status: number }> {
  const url = new URL(input.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Promise.reject(new OutboundRefused(`${url.protocol} URLs are not sent to`));
  }
  const host = hostOf(url);
  // A literal address never reaches `lookup`: it is checked here.
  if (
    isAddressLiteral(host) &&
    !addressAllowed(input.policy, host) &&
    !nameAllowed(input.policy, host)
  ) {
    return Promise.reject(new OutboundRefused(refusal(input.policy, host, addressKind(host))));
  }
  const send = url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: "POST",
        agent: agentFor(input.policy, url.protocol as "http:" | "https:"),
        headers: { ...input.headers, "Content-Length": String(Buffer.byteLength(input.body)) },
        lookup: pinnedLookup(input.policy, input.resolve),
        signal: AbortSignal.timeout(input.timeoutMs),
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve({ status: response.statusCode ?? 0 }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(input.body);
  });
}
