import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addressAllowed,
  addressKind,
  allowedAddresses,
  OutboundRefused,
  parseOutboundPolicy,
  postOutbound,
  type Resolver,
  urlProblem,
} from "./outbound";

const external = parseOutboundPolicy("external");
const loopback = parseOutboundPolicy("loopback");

describe("HITL_CALLBACK_ALLOWED_HOSTS", () => {
  it("takes keywords, addresses, CIDRs and host globs", () => {
    const policy = parseOutboundPolicy(
      " external, loopback ,private,10.1.2.0/24, fd00::1, ::ffff:192.0.2.0/120, *.hooks.example.com",
    );
    expect(policy.entries.map((e) => e.kind)).toEqual([
      "keyword",
      "keyword",
      "keyword",
      "cidr",
      "cidr",
      "cidr",
      "glob",
    ]);
    expect(parseOutboundPolicy("*").entries).toEqual([{ kind: "keyword", allows: "any" }]);
  });

  it("names every entry that is none of them", () => {
    expect(() => parseOutboundPolicy("external, intranet!, 10.0.0.0/40")).toThrow(
      /"intranet!" is not .*"10\.0\.0\.0\/40" is not/,
    );
    expect(() => parseOutboundPolicy(" , ")).toThrow(/at least one/);
  });
});

describe("what kind of address", () => {
  it.each([
    ["93.184.216.34", "external"],
    ["2606:2800:220:1:248:1893:25c8:1946", "external"],
    ["127.0.0.2", "loopback"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.2", "loopback"],
    ["::ffff:7f00:2", "loopback"],
    ["10.0.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["fd00:ec2::254", "private"],
    ["fec0::1", "reserved"],
    ["169.254.169.254", "link-local"],
    ["fe80::1", "link-local"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "multicast"],
    ["192.0.2.1", "reserved"],
    ["240.0.0.1", "reserved"],
    ["64:ff9b::a00:1", "reserved"],
    ["2002:7f00:2::1", "reserved"],
    ["::7f00:2", "reserved"],
  ])("%s is %s", (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  it("keywords allow their kinds only; a CIDR names what no keyword does", () => {
    expect(addressAllowed(external, "93.184.216.34")).toBe(true);
    expect(addressAllowed(external, "10.0.0.1")).toBe(false);
    expect(addressAllowed(loopback, "127.0.0.2")).toBe(true);
    expect(addressAllowed(loopback, "::ffff:127.0.0.2")).toBe(true);
    expect(addressAllowed(loopback, "10.0.0.1")).toBe(false);
    const priv = parseOutboundPolicy("private");
    expect(addressAllowed(priv, "10.0.0.1")).toBe(true);
    expect(addressAllowed(priv, "169.254.169.254")).toBe(false);
    const metadata = parseOutboundPolicy("169.254.169.254/32");
    expect(addressAllowed(metadata, "169.254.169.254")).toBe(true);
    expect(addressAllowed(metadata, "::ffff:169.254.169.254")).toBe(true);
    expect(addressAllowed(metadata, "169.254.169.253")).toBe(false);
    const mapped = parseOutboundPolicy("::ffff:10.0.0.0/104");
    expect(addressAllowed(mapped, "10.200.0.1")).toBe(true);
    expect(addressAllowed(parseOutboundPolicy("*"), "0.0.0.0")).toBe(true);
  });
});

describe("a callback URL at submit", () => {
  it.each([
    "http://127.0.0.2:4000/admin?do=1",
    "http://[::ffff:127.0.0.2]:4000/admin?do=1",
    "http://0x7f000002:4000/admin?do=1",
    "http://2130706434/",
    "http://0177.0.0.2/",
    "http://127.1/",
    "http://0/",
    "http://0.0.0.0:3000/",
    "http://[::]/",
    "http://[::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/",
    "http://10.0.0.1/",
    "http://[fe80::1]/",
    "http://localhost:3000/",
    "http://LOCALHOST./",
    "http://app.localhost/",
  ])("%s is refused by default", (url) => {
    expect(urlProblem(external, url)).toMatch(/does not allow/);
  });

  it("says what the address is and what the setting allows", () => {
    expect(urlProblem(external, "http://0x7f000002:4000/")).toBe(
      '127.0.0.2 is a loopback address, which HITL_CALLBACK_ALLOWED_HOSTS ("external") does not allow',
    );
  });

  it("lets names through until delivery, and what the policy allows", () => {
    expect(urlProblem(external, "https://hooks.example.com/airlock")).toBeNull();
    expect(urlProblem(external, "https://93.184.216.34/airlock")).toBeNull();
    expect(urlProblem(loopback, "http://127.0.0.2:4000/")).toBeNull();
    expect(urlProblem(loopback, "http://localhost:4000/")).toBeNull();
    expect(urlProblem(loopback, "http://10.0.0.1/")).toMatch(/private address/);
    expect(urlProblem(parseOutboundPolicy("*.localhost"), "http://app.localhost/")).toBeNull();
  });

  it("refuses every spelling of a private, loopback or link-local IPv4 address", () => {
    const blocked = fc.oneof(
      fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
    );
    fc.assert(
      fc.property(blocked, fc.nat(3), (octets, spelling) => {
        const n = octets.reduce((acc, o) => acc * 256 + o, 0);
        const hex = (o: number) => o.toString(16).padStart(2, "0");
        const host = [
          octets.join("."),
          `0x${n.toString(16)}`,
          String(n),
          `[::ffff:${hex(octets[0])}${hex(octets[1])}:${hex(octets[2])}${hex(octets[3])}]`,
        ][spelling];
        expect(urlProblem(external, `http://${host}:8080/x`)).toMatch(/does not allow/);
      }),
    );
  });
});

const dns =
  (table: Record<string, string[]>): Resolver =>
  async (host) =>
    (table[host] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("a name at delivery", () => {
  it("keeps only the addresses the policy allows, and refuses a name with none", async () => {
    const resolve = dns({
      "mixed.test": ["10.0.0.1", "93.184.216.34"],
      "rebind.test": ["127.0.0.2"],
    });
    expect(await allowedAddresses(external, "mixed.test", resolve)).toEqual([
      { address: "93.184.216.34", family: 4 },
    ]);
    await expect(allowedAddresses(external, "rebind.test", resolve)).rejects.toThrow(
      new OutboundRefused(
        'rebind.test resolves to 127.0.0.2 is a loopback address, which HITL_CALLBACK_ALLOWED_HOSTS ("external") does not allow',
      ),
    );
    await expect(allowedAddresses(external, "nowhere.test", resolve)).rejects.toThrow(
      /has no address/,
    );
  });

  it("lets a name the policy names resolve anywhere", async () => {
    const policy = parseOutboundPolicy("*.corp.test");
    const resolve = dns({ "hooks.corp.test": ["10.9.9.9"] });
    expect(await allowedAddresses(policy, "hooks.corp.test", resolve)).toEqual([
      { address: "10.9.9.9", family: 4 },
    ]);
  });
});

describe("postOutbound, against real listeners", () => {
  // The agent's own network: a listener that must never see a connection.
  let hostile: Server;
  let hostilePort = 0;
  let hostileConnections = 0;
  // An allowed receiver, which answers its first path with a redirect into the hostile one.
  let allowed: Server;
  let allowedPort = 0;
  const received: { url?: string; host?: string; body: string }[] = [];
  const policy = parseOutboundPolicy("127.0.0.1/32");

  beforeAll(async () => {
    hostile = createServer((_req, res) => res.end("pwned"));
    hostile.on("connection", () => hostileConnections++);
    hostile.listen(0, "127.0.0.2");
    await once(hostile, "listening");
    hostilePort = (hostile.address() as AddressInfo).port;
    allowed = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        received.push({ url: req.url, host: req.headers.host, body });
        if (req.url === "/redirect") {
          res.writeHead(302, { location: `http://127.0.0.2:${hostilePort}/admin?do=1` });
        }
        res.end("ok");
      });
    });
    allowed.listen(0, "127.0.0.1");
    await once(allowed, "listening");
    allowedPort = (allowed.address() as AddressInfo).port;
  });
  afterAll(() => {
    hostile.close();
    allowed.close();
  });

  const post = (url: string, resolve?: Resolver) =>
    postOutbound({ policy, url, headers: {}, body: '{"x":1}', timeoutMs: 2000, resolve });

  it("delivers to an allowed address, by name, and connects to the address it checked", async () => {
    const resolve = dns({ "ok.test": ["127.0.0.1"] });
    expect(await post(`http://ok.test:${allowedPort}/cb`, resolve)).toEqual({ status: 200 });
    expect(received.at(-1)).toEqual({
      url: "/cb",
      host: `ok.test:${allowedPort}`,
      body: '{"x":1}',
    });
  });

  it("sends nothing to a refused address, by any route", async () => {
    const resolve = dns({ "rebind.test": ["127.0.0.2"], "both.test": ["127.0.0.2", "127.0.0.1"] });
    await expect(post(`http://127.0.0.2:${hostilePort}/admin?do=1`)).rejects.toThrow(
      OutboundRefused,
    );
    await expect(post(`http://[::ffff:127.0.0.2]:${hostilePort}/`)).rejects.toThrow(
      OutboundRefused,
    );
    await expect(post(`http://0x7f000002:${hostilePort}/`)).rejects.toThrow(OutboundRefused);
    await expect(post(`http://rebind.test:${hostilePort}/`, resolve)).rejects.toThrow(
      OutboundRefused,
    );
    // A name with an allowed and a refused address connects to the allowed one only.
    expect(await post(`http://both.test:${allowedPort}/both`, resolve)).toEqual({ status: 200 });
    expect(received.at(-1)?.url).toBe("/both");
    // A redirect is an answer, not an instruction.
    expect(await post(`http://127.0.0.1:${allowedPort}/redirect`)).toEqual({ status: 302 });
    expect(hostileConnections).toBe(0);
  });

  it("gives up on a receiver that does not answer in time", async () => {
    const silent = createServer(() => {});
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    const port = (silent.address() as AddressInfo).port;
    try {
      await expect(
        postOutbound({
          policy,
          url: `http://127.0.0.1:${port}/`,
          headers: {},
          body: "",
          timeoutMs: 200,
        }),
      ).rejects.toMatchObject({ name: "AbortError", cause: { name: "TimeoutError" } });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
