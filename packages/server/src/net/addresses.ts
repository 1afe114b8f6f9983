import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses an outbound request may reach when private addresses are not allowed (SECURITY-TESTS C8).
 * Everything that is not globally routable unicast is refused: loopback, private, link-local (cloud metadata at
 * 169.254.169.254), CGNAT, unique-local, multicast, broadcast, documentation and reserved ranges
 * (IANA IPv4/IPv6 Special-Purpose Address Registries, RFC 6890).
 */
const ipv4Refused: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network" (RFC 791); 0.0.0.0 reaches the local host on most systems
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // shared address space, CGNAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including 169.254.169.254 cloud metadata (RFC 3927)
  ['172.16.0.0', 12], // private (RFC 1918)
  ['192.0.0.0', 24], // IETF protocol assignments (RFC 6890)
  ['192.0.2.0', 24], // TEST-NET-1 (RFC 5737)
  ['192.88.99.0', 24], // 6to4 relay anycast, deprecated (RFC 7526)
  ['192.168.0.0', 16], // private (RFC 1918)
  ['198.18.0.0', 15], // benchmarking (RFC 2544)
  ['198.51.100.0', 24], // TEST-NET-2 (RFC 5737)
  ['203.0.113.0', 24], // TEST-NET-3 (RFC 5737)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including 255.255.255.255 limited broadcast
];

const ipv6Refused: Array<[string, number]> = [
  ['::', 96], // unspecified (::), loopback (::1) and the deprecated IPv4-compatible addresses (RFC 4291 §2.5.5.1)
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['100::', 64], // discard-only (RFC 6666)
  ['2001::', 23], // IETF protocol assignments, including Teredo (RFC 2928, RFC 4380)
  ['2001:db8::', 32], // documentation (RFC 3849)
  ['2002::', 16], // 6to4, deprecated (RFC 7526): embeds an IPv4 address a relay would reach for us
  ['fc00::', 7], // unique local (RFC 4193)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local, deprecated (RFC 3879)
  ['ff00::', 8], // multicast
];

const refused = new BlockList();
for (const [network, prefix] of ipv4Refused) refused.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of ipv6Refused) refused.addSubnet(network, prefix, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail converted, a zone id dropped). */
const ipv6Groups = (address: string): number[] => {
  let text = address.split('%')[0] ?? '';
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const start = parse(head);
  const end = tail === undefined ? [] : parse(tail);
  return [...start, ...new Array<number>(8 - start.length - end.length).fill(0), ...end];
};

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one that the network will reach: IPv4-mapped
 * (`::ffff:127.0.0.1`, RFC 4291 §2.5.5.2) and the well-known NAT64 prefix (`64:ff9b::/96`, RFC 6052), which a
 * NAT64 gateway translates to the embedded address.
 */
const embeddedIpv4 = (address: string): string | undefined => {
  const groups = ipv6Groups(address);
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  const mapped = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff;
  const nat64 = g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0;
  if (!mapped && !nat64) return undefined;
  return [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff].join('.');
};

/** Whether `address` (an IP literal, IPv6 without brackets) is globally routable unicast. Not an IP → false. */
export const isPublicAddress = (address: string): boolean => {
  const version = isIP(address);
  if (version === 4) return !refused.check(address, 'ipv4');
  if (version !== 6) return false;
  const ipv4 = embeddedIpv4(address);
  if (ipv4 !== undefined) return isPublicAddress(ipv4);
  return !refused.check(address.split('%')[0] ?? '', 'ipv6');
};
