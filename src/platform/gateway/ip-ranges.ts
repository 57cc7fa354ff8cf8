import ipaddr from 'ipaddr.js';

/** An address or CIDR as configured, parsed once: `[network, prefix length]`. */
export type IpRange = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** `10.0.0.0/8`, `2001:db8::/32` or a single address (a /32 or /128); throws on anything else. */
export function parseIpRange(text: string): IpRange {
  if (text.includes('/')) return normalise(ipaddr.parseCIDR(text));
  const address = ipaddr.parse(text);
  return normalise([address, address.kind() === 'ipv4' ? 32 : 128]);
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is the IPv4 address: a dual-stack socket reports it that way. */
function unmap(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (address as ipaddr.IPv6).toIPv4Address();
  }
  return address;
}

function normalise([address, bits]: IpRange): IpRange {
  const plain = unmap(address);
  // A mapped range keeps its IPv4 part: ::ffff:10.0.0.0/104 is 10.0.0.0/8.
  return plain === address ? [address, bits] : [plain, Math.max(0, bits - 96)];
}

/** Whether `ip` (as the gateway computed it) lies in one of `ranges`; an unparsable address never does. */
export function inRanges(ip: string, ranges: readonly IpRange[]): boolean {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = unmap(ipaddr.parse(ip));
  } catch {
    return false;
  }
  return ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
}
