import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Addresses the service never connects to on a caller's behalf: this machine, the private network
 * it runs in and the cloud's metadata endpoints (SSRF: a URL a request names must not reach inside
 * the network). Outbound reads check the address of each connection against these just before it
 * is made. Node's BlockList matches an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) against the
 * IPv4 ranges; NAT64 addresses (`64:ff9b::10.0.0.1`) are matched by the IPv4 address they carry.
 */
type Range = readonly [address: string, prefix: number, what: string];

export const INTERNAL_IPV4_RANGES: readonly Range[] = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'shared address space (carrier-grade NAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local, cloud metadata (169.254.169.254, 169.254.170.2)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved, broadcast'],
];

export const INTERNAL_IPV6_RANGES: readonly Range[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible (deprecated)'],
  ['fc00::', 7, 'unique-local, AWS metadata (fd00:ec2::254)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
];

/** The well-known NAT64 prefix (RFC 6052): its last 32 bits are the IPv4 address reached. */
const NAT64 = '64:ff9b::';

function blockListOf(ipv4: readonly Range[], ipv6: readonly Range[], nat64: boolean): BlockList {
  const list = new BlockList();
  for (const [address, prefix] of ipv4) {
    list.addSubnet(address, prefix, 'ipv4');
    if (nat64) list.addSubnet(`${NAT64}${address}`, 96 + prefix, 'ipv6');
  }
  for (const [address, prefix] of ipv6) list.addSubnet(address, prefix, 'ipv6');
  return list;
}

const internal = blockListOf(INTERNAL_IPV4_RANGES, INTERNAL_IPV6_RANGES, true);
// Not through NAT64: 64:ff9b::7f00:1 is the gateway's loopback, not this machine's.
const loopback = blockListOf([['127.0.0.0', 8, 'loopback']], [['::1', 128, 'loopback']], false);

/**
 * 4 or 6 for an IP address, 0 for anything else: node's isIP, except that text without a colon
 * never meets node's IPv6 pattern. Node compiles that pattern on its first use, which a cold CDS
 * Hooks call paid for the host name of `fhirServer` (11% of its cold start in `npm run bench --
 * --only profile`); every IPv6 address has a colon, so the answer is the same.
 */
export function ipFamilyOf(text: string): 0 | 4 | 6 {
  if (isIPv4(text)) return 4;
  return text.includes(':') && isIPv6(text) ? 6 : 0;
}

const blockListFamily = (family: 4 | 6) => (family === 6 ? 'ipv6' : 'ipv4');

/** True for an address in the internal ranges, and for anything that is not an IP address. */
export function isInternalAddress(address: string): boolean {
  const family = ipFamilyOf(address);
  return family === 0 || internal.check(address, blockListFamily(family));
}

/** True for this machine's own addresses: 127.0.0.0/8 (also as `::ffff:127.0.0.1`) and ::1. */
export function isLoopbackAddress(address: string): boolean {
  const family = ipFamilyOf(address);
  return family !== 0 && loopback.check(address, blockListFamily(family));
}
