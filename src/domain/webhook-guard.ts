import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may go. A subscription's URL is ours to call from inside the platform, so a URL
 * that reaches the platform's own network (loopback, private ranges, link-local with the instance
 * metadata service at 169.254.169.254, …) would let a tenant probe it (SSRF). The URL is checked
 * when the subscription is created, and again at every delivery, where the sender connects only to
 * the address it checked (see src/cloud/webhook-sender.ts): a name that later resolves elsewhere
 * (DNS rebinding) is caught there.
 *
 * Pure apart from the resolver, which is injected.
 */

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** dns.lookup with `all: true`: every address the name resolves to. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface TargetPolicy {
  /** Only the embedded runtime started with --allow-private-webhooks: also http:// and any address. */
  allowPrivate: boolean;
  resolve: Resolver;
}

export type TargetCheck = { ok: true; host: string } | { ok: false; reason: string };

/** What each of ipaddr.js's special ranges is, for refusals a person can read. */
const RANGE_NAMES: Record<string, string> = {
  unspecified: 'an unspecified ("this network") address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a shared (carrier-grade NAT) address',
  private: 'a private address',
  reserved: 'a reserved address (documentation, benchmarking, IETF protocol)',
  uniqueLocal: 'a unique local (private) address',
  ipv4Mapped: 'an IPv4-mapped address',
  deprecatedSiteLocal: 'a site-local address',
  discard: 'a discard address',
  rfc6145: 'an IPv4-translated address',
  rfc6052: 'a NAT64 address',
  '6to4': 'a 6to4 address',
  teredo: 'a Teredo address',
};

/** IANA's global unicast space for IPv6: anything outside it is unassigned or special. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * Why an address is not a globally routable unicast one ("a loopback address"), or undefined when
 * it is. The ranges are ipaddr.js's (IANA's special-purpose registries, kept up to date there, such
 * as 3fff::/20, documentation since 2024): only its `unicast` passes, and for IPv6 only inside
 * 2000::/3. An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it is;
 * NAT64, 6to4 and Teredo forms are refused whatever they embed. Anything that is not an IP
 * address in its usual text form is refused too.
 */
export function addressProblem(ip: string): string | undefined {
  const text = ip.split('%')[0]!; // a zone id (fe80::1%eth0) names an interface, not an address
  const family = isIP(text);
  if (family === 0) return 'not an IP address';
  // In the WHATWG form (hex groups): ipaddr.js would read ::127.0.0.1, IPv4-compatible, as mapped.
  const parsed = ipaddr.parse(family === 6 ? new URL(`http://[${text}]`).hostname.slice(1, -1) : text);
  const mapped = parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress();
  const address = mapped ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
  const range = address.range();
  const suffix = mapped ? ` (${address.toString()})` : '';
  if (range !== 'unicast') return `${RANGE_NAMES[range] ?? `a special-purpose address (${range})`}${suffix}`;
  if (address.kind() === 'ipv6' && !(address as ipaddr.IPv6).match(GLOBAL_UNICAST_V6))
    return 'not a global unicast address';
  return undefined;
}

/** The first of a name's addresses that is not public, with why; undefined when all are public. */
export function firstProblem(addresses: ResolvedAddress[]): string | undefined {
  if (addresses.length === 0) return 'does not resolve to any address';
  for (const { address } of addresses) {
    const problem = addressProblem(address);
    if (problem) return `resolves to ${address}, ${problem}`;
  }
  return undefined;
}

/**
 * Checks a webhook URL: https (http too when private targets are allowed), and a host whose every
 * address is public. Refusals say why, for a 400 on `url` or a dead letter's lastError.
 */
export async function checkWebhookTarget(rawUrl: string, policy: TargetPolicy): Promise<TargetCheck> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { ok: false, reason: 'is not a URL' };
  }
  const schemes = policy.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    return {
      ok: false,
      reason: policy.allowPrivate ? 'must use https or http' : 'must use https',
    };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'must not carry credentials' };
  // The WHATWG parser has already turned 2130706433, 0x7f.1 and the like into dotted quads.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return { ok: false, reason: 'has no host' };
  if (policy.allowPrivate) return { ok: true, host };
  if (isIP(host)) {
    const problem = addressProblem(host);
    return problem ? { ok: false, reason: `points to ${host}, ${problem}` } : { ok: true, host };
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await policy.resolve(host);
  } catch {
    return { ok: false, reason: `host ${host} does not resolve` };
  }
  const problem = firstProblem(addresses);
  return problem ? { ok: false, reason: `host ${host} ${problem}` } : { ok: true, host };
}
