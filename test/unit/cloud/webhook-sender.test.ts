import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Resolver } from '../../../src/domain/webhook-guard';
import { createWebhookSender } from '../../../src/cloud/webhook-sender';

/** A local server that answers by path, and counts every TCP connection made to it. */
let server: Server;
let port: number;
let connections = 0;
const requests: { path: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ path: req.url!, headers: req.headers, body });
      if (req.url === '/ok') res.writeHead(204).end();
      else if (req.url === '/fail') res.writeHead(500).end('stack trace the sender must not keep');
      else if (req.url === '/redirect') res.writeHead(302, { location: '/ok' }).end();
      // '/hang': never answers
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests.length = 0;
  connections = 0;
});

const loopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
const local = createWebhookSender({ allowPrivate: true, resolve: loopback }, { timeoutMs: 300 });
const post = (path: string, sender = local, host = '127.0.0.1', scheme = 'http') =>
  sender.post({
    url: `${scheme}://${host}:${port}${path}`,
    headers: { 'content-type': 'application/json', 'X-TinyStacks-Event-Id': 'e1' },
    body: '{"id":"e1"}',
  });

describe('the webhook sender, with private targets allowed (embedded runtime flag)', () => {
  test('a 2xx answer is a delivery; the body and headers arrive as given', async () => {
    // Act
    const result = await post('/ok');

    // Assess
    expect(result).toEqual({ ok: true, status: 204 });
    expect(requests).toEqual([
      {
        path: '/ok',
        body: '{"id":"e1"}',
        headers: expect.objectContaining({ 'x-tinystacks-event-id': 'e1', 'content-length': '11' }),
      },
    ]);
  });

  test('another status is a failure that names it, and never keeps the answer’s body', async () => {
    // Act
    const result = await post('/fail');

    // Assess
    expect(result).toEqual({ ok: false, status: 500, error: 'HTTP 500' });
  });

  test('a redirect is a failure and is not followed', async () => {
    // Act
    const result = await post('/redirect');

    // Assess
    expect(result).toEqual({ ok: false, status: 302, error: 'HTTP 302 (redirects are not followed)' });
    expect(requests.map((r) => r.path)).toEqual(['/redirect']);
  });

  test('a receiver that does not answer in time is a timeout', async () => {
    // Act
    const started = Date.now();
    const result = await post('/hang');

    // Assess
    expect(result).toEqual({ ok: false, error: 'timed out after 0.3 s' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('nothing listening is a refused connection', async () => {
    // Prepare
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    // Act
    const result = await local.post({ url: `http://127.0.0.1:${closedPort}/x`, headers: {}, body: '{}' });

    // Assess
    expect(result).toEqual({ ok: false, error: 'connection refused' });
  });
});

describe('the webhook sender on AWS (no private targets): checked again at delivery', () => {
  test('http, and an address that is not public, are refused without connecting', async () => {
    // Prepare
    const strict = createWebhookSender({ allowPrivate: false, resolve: loopback });

    // Act
    const results = await Promise.all([
      post('/ok', strict),
      post('/ok', strict, '127.0.0.1', 'https'),
      post('/ok', strict, 'hooks.example.com', 'https'),
    ]);

    // Assess
    expect(results).toEqual([
      { ok: false, error: 'refused: url must use https' },
      { ok: false, error: 'refused: url points to 127.0.0.1, a loopback address' },
      { ok: false, error: 'refused: url host hooks.example.com resolves to 127.0.0.1, a loopback address' },
    ]);
    expect(connections).toBe(0);
  });

  test('DNS rebinding: a name that was public at the check and is loopback at the connect is refused', async () => {
    // Prepare: the first lookup (the check) answers a public address, every later one loopback.
    let lookups = 0;
    const rebinding: Resolver = async () =>
      lookups++ === 0 ? [{ address: '93.184.215.14', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    const strict = createWebhookSender({ allowPrivate: false, resolve: rebinding });

    // Act
    const result = await post('/ok', strict, 'rebind.example.com', 'https');

    // Assess
    expect(result).toEqual({
      ok: false,
      error: 'refused: host rebind.example.com resolves to 127.0.0.1, a loopback address',
    });
    expect(lookups).toBe(2);
    expect(connections).toBe(0);
  });
});
