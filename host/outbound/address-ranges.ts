import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/**
 * Which IP addresses the host's outbound requests reach unless a host is named to it: the public
 * internet only (plugins' wildcard patterns such as "*" or "*.example.com", push services, link
 * previews). The ranges come from ipaddr.js: an address is public when it is in none of its
 * special ranges (range "unicast"; for IPv6, within the global unicast 2000::/3); loopback,
 * private, link-local, unique-local, carrier-grade NAT, unspecified, broadcast, multicast,
 * reserved and documentation ranges, and every other special-purpose range, are not.
 *
 * IPv6 forms that carry an IPv4 address are judged by that IPv4 address, since that is where
 * the packets end up: IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d),
 * IPv4-compatible (::a.b.c.d), NAT64 in the well-known prefix (64:ff9b::a.b.c.d) and 6to4
 * (2002:aabb:ccdd::/48, the IPv4 address in bits 16–47). Two are refused outright, whatever they
 * embed: Teredo (2001::/32), a tunnel to a client behind a NAT, and the NAT64 local-use prefix
 * (64:ff9b:1::/48), whose translator is inside the network and may place the IPv4 address at
 * several positions.
 */
export interface AddressVerdict {
  readonly public: boolean;
  /** The range that decided, as ipaddr.js names it, e.g. "private", "6to4 of loopback 127.0.0.1", "teredo". */
  readonly range: string;
}

const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');

function ipv4At(parts: number[], high: number): ipaddr.IPv4 {
  const hi = parts[high]!;
  const lo = parts[high + 1]!;
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

function judgeIpv4(v4: ipaddr.IPv4): AddressVerdict {
  const range = v4.range();
  return { public: range === 'unicast', range };
}

function judgeEmbedded(kind: string, v4: ipaddr.IPv4): AddressVerdict {
  const inner = judgeIpv4(v4);
  return { public: inner.public, range: `${kind} of ${inner.range} ${v4.toString()}` };
}

function judgeIpv6(v6: ipaddr.IPv6): AddressVerdict {
  const range = v6.range();
  const { parts } = v6;
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return judgeEmbedded(range, ipv4At(parts, 6));
    case '6to4':
      return judgeEmbedded(range, ipv4At(parts, 1));
    case 'rfc6052':
      // 64:ff9b::/96 (well-known) embeds the IPv4 address in the last 32 bits; 64:ff9b:1::/48 is local use.
      if (parts[2] === 0 && parts[3] === 0 && parts[4] === 0 && parts[5] === 0)
        return judgeEmbedded('rfc6052', ipv4At(parts, 6));
      return { public: false, range: 'rfc6052 local use' };
    case 'unicast':
      // IPv4-compatible (::a.b.c.d, deprecated): ::/96 apart from :: and ::1, which have ranges of their own.
      if (parts.slice(0, 6).every((p) => p === 0)) return judgeEmbedded('ipv4Compatible', ipv4At(parts, 6));
      // Global unicast is 2000::/3; the rest of the space is unassigned.
      if (!v6.match(GLOBAL_UNICAST)) return { public: false, range: 'unassigned' };
      return { public: true, range };
    default:
      // Teredo among them: refused whatever client it names.
      return { public: false, range };
  }
}

/**
 * The verdict on an IP address (IPv4, IPv6, optionally in brackets or with a zone), or null
 * for anything that is not an IP address (a host name).
 */
export function judgeAddress(address: string): AddressVerdict | null {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return null;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = family === 4 ? ipaddr.IPv4.parse(bare) : ipaddr.IPv6.parse(bare);
  } catch {
    // Node takes it for an address ipaddr.js cannot read: not known to be public.
    return { public: false, range: 'unparsed' };
  }
  return parsed.kind() === 'ipv4' ? judgeIpv4(parsed as ipaddr.IPv4) : judgeIpv6(parsed as ipaddr.IPv6);
}

/** Whether an IP address is one a wildcard pattern must not reach (host names are not addresses: false). */
export function isNonPublicAddress(address: string): boolean {
  const verdict = judgeAddress(address);
  return verdict !== null && !verdict.public;
}
