import { isIP } from 'node:net';

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

type Block = [network: string, prefix: number, what: string];

const PRIVATE = 'a private address';
const DOCUMENTATION = 'a documentation address';

/** IANA's special-purpose IPv4 ranges that are not on the public internet. */
const IPV4_BLOCKS: Block[] = [
  ['0.0.0.0', 8, 'a "this network" address'],
  ['10.0.0.0', 8, PRIVATE],
  ['100.64.0.0', 10, 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address'],
  ['172.16.0.0', 12, PRIVATE],
  ['192.0.0.0', 24, 'an IETF protocol address'],
  ['192.0.2.0', 24, DOCUMENTATION],
  ['192.88.99.0', 24, 'a 6to4 relay address'],
  ['192.168.0.0', 16, PRIVATE],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, DOCUMENTATION],
  ['203.0.113.0', 24, DOCUMENTATION],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];

/**
 * The IPv6 ones. Ranges that embed an IPv4 address (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96,
 * 6to4 2002::/16) are judged by that address instead; see embeddedIpv4.
 */
const IPV6_BLOCKS: Block[] = [
  ['::', 128, 'the unspecified address'],
  ['::1', 128, 'a loopback address'],
  ['::', 96, 'an IPv4-compatible address'],
  ['::ffff:0:0:0', 96, 'an IPv4-translated address'],
  ['64:ff9b:1::', 48, 'a local-use NAT64 address'],
  ['100::', 64, 'a discard address'],
  ['2001::', 23, 'an IETF protocol address'],
  ['2001:db8::', 32, DOCUMENTATION],
  ['fc00::', 7, 'a unique local (private) address'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local address'],
  ['ff00::', 8, 'a multicast address'],
];

function ipv4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(ip: string): bigint {
  let text = ip.split('%')[0]!; // a zone id (fe80::1%eth0) names an interface, not an address
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4ToBigInt(dotted[1]!);
    text = `${text.slice(0, -dotted[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? front
      : [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

const bigIntToIpv4 = (value: bigint) =>
  [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');

interface CompiledBlock {
  network: bigint;
  mask: bigint;
  what: string;
}

const compile = (blocks: Block[], bits: bigint, parse: (ip: string) => bigint): CompiledBlock[] =>
  blocks.map(([network, prefix, what]) => {
    const mask = ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
    return { network: parse(network) & mask, mask, what };
  });

const V4 = compile(IPV4_BLOCKS, 32n, ipv4ToBigInt);
const V6 = compile(IPV6_BLOCKS, 128n, ipv6ToBigInt);

const inRange = (value: bigint, blocks: CompiledBlock[]) =>
  blocks.find((block) => (value & block.mask) === block.network)?.what;

/** The IPv4 address an IPv6 one stands for: IPv4-mapped, NAT64 (well-known prefix), 6to4. */
function embeddedIpv4(value: bigint): bigint | undefined {
  const low32 = value & 0xffffffffn;
  if (value >> 32n === 0xffffn) return low32; // ::ffff:a.b.c.d
  if (value >> 32n === 0x0064ff9b0000000000000000n) return low32; // 64:ff9b::a.b.c.d
  if (value >> 112n === 0x2002n) return (value >> 80n) & 0xffffffffn; // 2002:aabb:ccdd::/48
  return undefined;
}

/**
 * Why an address is not a public one ("a loopback address"), or undefined for a public address.
 * Anything that is not an IP address is refused too.
 */
export function addressProblem(ip: string): string | undefined {
  const family = isIP(ip.split('%')[0]!);
  if (family === 4) return inRange(ipv4ToBigInt(ip), V4);
  if (family !== 6) return 'not an IP address';
  const value = ipv6ToBigInt(ip);
  const v4 = embeddedIpv4(value);
  if (v4 !== undefined) {
    const problem = inRange(v4, V4);
    return problem && `${problem} (${bigIntToIpv4(v4)})`;
  }
  return inRange(value, V6) ?? (value >> 125n === 1n ? undefined : 'not a global unicast address');
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
