// The network a client's address belongs to, as the key for per-IP limits: an IPv4 address as
// it is, an IPv6 address by its /64 (one subscriber's allocation, RFC 6177 / RFC 7421 — a single
// host can pick any of 2^64 addresses in it), IPv4-mapped IPv6 (::ffff:a.b.c.d) as the IPv4.
// An IPv6 client also belongs to its /56 and /48 (a site may hold 256 or 65,536 /64s), which
// the budgets bind too, at a multiple of the per-address budget.

/** "ip4:a.b.c.d", "ip6:xxxx:xxxx:xxxx:xxxx::/64", or null for anything that is not an IP address. */
export function networkKeyOf(raw: string): string | null {
  const address = raw.trim();
  const v4 = parseIpv4(address);
  if (v4) return `ip4:${v4.join(".")}`;
  const v6 = parseIpv6(address);
  if (!v6) return null;
  // ::ffff:0:0/96 is an IPv4 address carried in IPv6.
  if (v6.slice(0, 5).every((group) => group === 0) && v6[5] === 0xffff) {
    return `ip4:${[v6[6] >> 8, v6[6] & 0xff, v6[7] >> 8, v6[7] & 0xff].join(".")}`;
  }
  return `ip6:${v6
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}

/** A network a budget binds, and how many times the per-address budget it gets. */
export interface NetworkTier {
  key: string;
  multiplier: number;
}

/** IPv6 prefixes wider than the /64 that a budget binds, at this multiple of the per-address budget. */
const WIDER_IPV6_TIERS = [
  { bits: 56, multiplier: 4 },
  { bits: 48, multiplier: 8 },
] as const;

/**
 * Every network a client's address belongs to, for budgets: an IPv4 address alone (×1); an IPv6
 * address as its /64 (×1), /56 (×4) and /48 (×8). Empty for anything that is not an address.
 */
export function networkTiersOf(raw: string): NetworkTier[] {
  const key = networkKeyOf(raw);
  if (key === null) return [];
  if (key.startsWith("ip4:")) return [{ key, multiplier: 1 }];
  const groups = key
    .slice(4, -"::/64".length)
    .split(":")
    .map((group) => Number.parseInt(group, 16));
  const wider = WIDER_IPV6_TIERS.map(({ bits, multiplier }) => {
    const kept = groups.map((group, i) => {
      const keepBits = Math.min(16, Math.max(0, bits - 16 * i));
      return keepBits === 16 ? group : (group >> (16 - keepBits)) << (16 - keepBits);
    });
    return { key: `ip6:${kept.map((group) => group.toString(16)).join(":")}::/${bits}`, multiplier };
  });
  return [{ key, multiplier: 1 }, ...wider];
}

/**
 * The network a successful login makes "known" to the account (spared by its failure lock): an
 * IPv4 address, or an IPv6 /56 (ISPs that rotate a customer's /64 keep it inside the customer's
 * /56). Null for anything that is not an address.
 */
export function knownNetworkKeyOf(raw: string): string | null {
  const tiers = networkTiersOf(raw);
  return (tiers[1] ?? tiers[0])?.key ?? null;
}

/**
 * A loopback address (127.0.0.0/8, ::1): the developer's own machine under `wrangler dev`.
 * Cloudflare's edge never reports one as a client's address.
 */
/** A URL's hostname that names this machine: localhost, 127.0.0.1 or [::1]. */
export const isLoopbackHostname = (hostname: string) => LOOPBACK_HOSTNAMES.has(hostname);
const LOOPBACK_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function isLoopback(raw: string): boolean {
  const address = raw.trim();
  if (networkKeyOf(address)?.startsWith("ip4:127.")) return true;
  const v6 = parseIpv6(address);
  if (!v6) return false;
  return v6.slice(0, 7).every((group) => group === 0) && v6[7] === 1;
}

function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : 256));
  return bytes.every((byte) => byte <= 255) ? bytes : null;
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or null. */
function parseIpv6(text: string): number[] | null {
  const address = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!address.includes(":")) return null;
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const groupsOf = (half: string): number[] | null => {
    if (half === "") return [];
    const out: number[] = [];
    const pieces = half.split(":");
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIpv4(piece);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        out.push(Number.parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...Array(missing).fill(0), ...tail] : null;
}

/**
 * The client's network for logs: IPv4 as its /24, IPv6 as its /48 — enough to correlate events
 * from one network, not enough to name a subscriber. Null for anything that is not an address.
 */
export function networkPrefixOf(raw: string): string | null {
  const key = networkKeyOf(raw);
  if (key === null) return null;
  if (key.startsWith("ip4:")) return `${key.slice(4).split(".").slice(0, 3).join(".")}.0/24`;
  return `${key.slice(4).split(":").slice(0, 3).join(":")}::/48`;
}
