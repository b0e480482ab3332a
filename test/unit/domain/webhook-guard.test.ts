import {
  addressProblem,
  checkWebhookTarget,
  type Resolver,
  type TargetPolicy,
} from '../../../src/domain/webhook-guard';

describe('addressProblem: only globally routable unicast passes (ipaddr.js ranges), with what it is', () => {
  test.each([
    // IPv4
    ['0.0.0.0', '"this network"'],
    ['0.255.255.255', '"this network"'],
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.0', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.0.1', 'link-local'],
    ['169.254.169.254', 'link-local'],
    ['172.16.0.0', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.8', 'IETF protocol'],
    ['192.0.2.1', 'documentation'],
    ['192.168.0.1', 'private'],
    ['192.168.255.255', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    // IPv6
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::127.0.0.1', 'not a global unicast address'],
    ['fc00::1', 'unique local'],
    ['fd12:3456:789a::1', 'unique local'],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['100::1', 'discard'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['3fff:fff:ffff::1', 'documentation'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['64:ff9b:1::a00:1', 'NAT64'],
    ['::ffff:0:a00:1', 'IPv4-translated'],
    // IPv4-mapped: judged by the IPv4 address inside
    ['::ffff:127.0.0.1', 'loopback address (127.0.0.1)'],
    ['::ffff:7f00:1', 'loopback address (127.0.0.1)'],
    ['::ffff:10.0.0.1', 'private address (10.0.0.1)'],
    ['::ffff:169.254.169.254', 'link-local address (169.254.169.254)'],
    ['::ffff:192.168.1.1', 'private address (192.168.1.1)'],
    ['::ffff:172.16.5.4', 'private address (172.16.5.4)'],
    ['::ffff:100.64.0.1', 'carrier-grade NAT'],
    // NAT64 and 6to4: refused whatever they embed
    ['64:ff9b::127.0.0.1', 'NAT64'],
    ['64:ff9b::808:808', 'NAT64'],
    ['2002:7f00:1::', '6to4'],
    ['2002:808:808::1', '6to4'],
    // outside global unicast
    ['4000::1', 'not a global unicast address'],
    // not an address at all, or not in its usual form
    ['localhost', 'not an IP address'],
    ['0x7f.1', 'not an IP address'],
  ])('%s: %s', (ip, what) => {
    // Act
    const problem = addressProblem(ip);

    // Assess
    expect(problem).toEqual(expect.stringContaining(what));
  });

  test.each([
    '1.1.1.1',
    '8.8.8.8',
    '9.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '3ffe::1',
    '::ffff:8.8.8.8',
  ])('%s is public', (ip) => {
    // Act / Assess
    expect(addressProblem(ip)).toBeUndefined();
  });
});

describe('checkWebhookTarget', () => {
  const dns: Record<string, string[]> = {
    'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'mixed.example.com': ['93.184.215.14', '192.168.0.10'],
    'v6-internal.example.com': ['2606:4700::1', 'fd00::5'],
    'metadata.example.com': ['169.254.169.254'],
    'empty.example.com': [],
  };
  const resolve: Resolver = async (hostname) => {
    const addresses = dns[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const strict: TargetPolicy = { allowPrivate: false, resolve };
  const permissive: TargetPolicy = { allowPrivate: true, resolve };

  test('an https URL whose host resolves only to public addresses is accepted', async () => {
    // Act
    const check = await checkWebhookTarget('https://hooks.example.com:8443/tinystacks?x=1', strict);

    // Assess
    expect(check).toEqual({ ok: true, host: 'hooks.example.com' });
  });

  test.each([
    ['http://hooks.example.com/x', 'must use https'],
    ['ftp://hooks.example.com/x', 'must use https'],
    ['https://user:secret@hooks.example.com/x', 'must not carry credentials'],
    ['https://mixed.example.com/x', 'host mixed.example.com resolves to 192.168.0.10, a private address'],
    ['https://v6-internal.example.com/x', 'resolves to fd00::5, a unique local (private) address'],
    ['https://metadata.example.com/x', 'resolves to 169.254.169.254, a link-local address'],
    ['https://empty.example.com/x', 'does not resolve to any address'],
    ['https://unknown.example.com/x', 'host unknown.example.com does not resolve'],
    ['https://10.0.0.8/x', 'points to 10.0.0.8, a private address'],
    ['https://[fe80::1]/x', 'points to fe80::1, a link-local address'],
    ['https://[3fff::1]/', 'points to 3fff::1, a reserved address (documentation'],
    ['https://[::ffff:127.0.0.1]/x', 'loopback address (127.0.0.1)'],
    ['https://0x7f.1/x', 'points to 127.0.0.1, a loopback address'],
    ['https://017700000001/x', 'points to 127.0.0.1, a loopback address'],
    ['not a url', 'is not a URL'],
  ])('%s is refused: %s', async (url, reason) => {
    // Act
    const check = await checkWebhookTarget(url, strict);

    // Assess
    expect(check).toEqual({ ok: false, reason: expect.stringContaining(reason) });
  });

  test('with private targets allowed (embedded runtime, explicit flag): http and loopback pass, other schemes do not', async () => {
    // Act
    const checks = await Promise.all([
      checkWebhookTarget('http://127.0.0.1:4000/hook', permissive),
      checkWebhookTarget('http://localhost/hook', permissive),
      checkWebhookTarget('https://[::1]/hook', permissive),
      checkWebhookTarget('ftp://127.0.0.1/hook', permissive),
    ]);

    // Assess
    expect(checks.map((c) => c.ok)).toEqual([true, true, true, false]);
  });
});
