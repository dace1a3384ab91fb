// Which hosts an outbound resolver fetch may reach. IP literals must be public unicast addresses;
// names must be multi-label DNS names outside the special-use local ones. (A public name whose DNS
// points at a private address cannot be caught here: Workers' fetch does not expose resolution, and
// Cloudflare's edge does not route to private networks.)

/** IPv4 ranges refused (RFC 6890 special-purpose and non-unicast). */
const V4_BLOCKED: Array<[number, number]> = [
  [0x00000000, 8], // 0.0.0.0/8 "this network", unspecified
  [0x0a000000, 8], // 10/8 private
  [0x64400000, 10], // 100.64/10 CGNAT
  [0x7f000000, 8], // 127/8 loopback
  [0xa9fe0000, 16], // 169.254/16 link-local
  [0xac100000, 12], // 172.16/12 private
  [0xc0000000, 24], // 192.0.0/24 IETF protocol assignments
  [0xc0000200, 24], // 192.0.2/24 TEST-NET-1
  [0xc0a80000, 16], // 192.168/16 private
  [0xc6120000, 15], // 198.18/15 benchmarking
  [0xc6336400, 24], // 198.51.100/24 TEST-NET-2
  [0xcb007100, 24], // 203.0.113/24 TEST-NET-3
  [0xe0000000, 4], // 224/4 multicast
  [0xf0000000, 4], // 240/4 reserved, broadcast
];

export function parseIPv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

export function isBlockedIPv4(addr: number): boolean {
  return V4_BLOCKED.some(([net, bits]) => addr >>> (32 - bits) === net >>> (32 - bits));
}

/** Eight 16-bit groups of an IPv6 address (with or without brackets, dotted tail allowed). */
export function parseIPv6(input: string): number[] | null {
  let s = input.startsWith("[") && input.endsWith("]") ? input.slice(1, -1) : input;
  if (s.includes("%")) return null; // zone ids are never acceptable
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.slice(lastColon + 1).includes(".")) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parts = (h: string) => (h === "" ? [] : h.split(":"));
  const head = parts(halves[0]);
  const tail = halves.length === 2 ? parts(halves[1]) : [];
  if (![...head, ...tail].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  return [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill("0"), ...tail].map((g) => parseInt(g, 16));
}

/**
 * Only global unicast 2000::/3 passes, minus documentation and Teredo; addresses that embed an
 * IPv4 address (v4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by it.
 */
export function isBlockedIPv6(g: number[]): boolean {
  const v4At = (hi: number, lo: number) => ((g[hi] << 16) | g[lo]) >>> 0;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return isBlockedIPv4(v4At(6, 7)); // v4-mapped
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return isBlockedIPv4(v4At(6, 7)); // NAT64
  if ((g[0] & 0xe000) !== 0x2000) return true; // ::, ::1, ::a.b.c.d, fc00::/7, fe80::/10, ff00::/8, …
  if (g[0] === 0x2001 && g[1] === 0x0db8) return true; // documentation
  if (g[0] === 0x2001 && g[1] === 0x0000) return true; // Teredo
  if (g[0] === 0x2002) return isBlockedIPv4(v4At(1, 2)); // 6to4
  return false;
}

/**
 * Refuses a hostname (as WHATWG URL serialises it: lower case, IPv4 dotted, IPv6 in brackets)
 * that is not a public destination. Returns the reason or null when allowed.
 */
export function refuseHost(hostname: string): string | null {
  const h = hostname.toLowerCase();
  if (h.startsWith("[")) {
    const g = parseIPv6(h);
    if (!g) return "malformed IPv6 literal";
    return isBlockedIPv6(g) ? "IPv6 literal in a non-public range" : null;
  }
  const v4 = parseIPv4(h);
  if (v4 !== null) return isBlockedIPv4(v4) ? "IPv4 literal in a non-public range" : null;
  if (/^[0-9.]+$/.test(h) || /^0x/i.test(h)) return "malformed IP literal";
  if (h.endsWith(".")) return "trailing dot";
  const labels = h.split(".");
  if (labels.length < 2) return "single-label host";
  if (!labels.every((l) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l) || /^xn--[a-z0-9-]{1,59}$/.test(l))) return "not a DNS name";
  const tld = labels[labels.length - 1];
  if (["localhost", "local", "internal", "localdomain", "home", "lan", "arpa", "test", "invalid", "onion"].includes(tld))
    return `special-use name (.${tld})`;
  return null;
}
