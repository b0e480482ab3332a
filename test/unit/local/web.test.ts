import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiServer } from '../../../src/local/server';
import { hashInputs, isLocalDashboardRequest, webEndpoints, type WebBuild } from '../../../src/local/web';

/** A raw request, so tests can send what fetch would not (a Host of another name, a path with ..). */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('npm start: the dashboard’s files and the local sign-in', () => {
  let dir: string;
  let server: Server;
  let port: number;
  const start = async (build: WebBuild) => {
    server = createApiServer({
      routes: [],
      jwtSecret: 'x',
      extra: webEndpoints({
        build: Promise.resolve(build),
        session: () => ({ token: 'local-token', tenantId: 'local', userId: 'local-user' }),
      }),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tinystacks-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(dir, 'assets/main-abc.js'), 'console.log(1)');
  });
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves the app at /, its pages through index.html, and its hashed assets for a year', async () => {
    // Prepare
    await start({ dir, built: false, ms: 1 });

    // Act
    const [root, page, asset, missing, api] = await Promise.all([
      send(port, 'GET', '/'),
      send(port, 'GET', '/stacks/stk_1/stages/dev'),
      send(port, 'GET', '/assets/main-abc.js'),
      send(port, 'GET', '/assets/gone-123.js'),
      send(port, 'GET', '/v1/stacks'),
    ]);

    // Assess
    expect([root.status, root.body]).toEqual([200, '<!doctype html><title>app</title>']);
    expect(root.headers['content-security-policy']).toContain("default-src 'self'");
    expect(root.headers['cache-control']).toBe('no-cache');
    expect([page.status, page.body]).toEqual([200, root.body]);
    expect([asset.status, asset.headers['content-type'], asset.headers['cache-control']]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
    ]);
    expect(missing.status).toBe(404);
    expect(api.status).toBe(404); // left to the API's routes (none here)
    expect(api.body).toContain('Not Found');
  });

  test('never serves a file outside the build', async () => {
    // Prepare
    writeFileSync(join(dir, '..', 'outside-secret.txt'), 'secret');
    await start({ dir, built: false, ms: 1 });

    // Act
    const reply = await send(port, 'GET', '/../outside-secret.txt');
    const encoded = await send(port, 'GET', '/assets/..%2f..%2f..%2foutside-secret.txt');

    // Assess
    expect(reply.body).not.toContain('secret');
    expect(encoded.body).not.toContain('secret');
    rmSync(join(dir, '..', 'outside-secret.txt'));
  });

  test('says so when the build failed, and the API still answers', async () => {
    // Prepare
    await start({ built: true, ms: 1, error: 'web/src/main.tsx: Unexpected token' });

    // Act
    const reply = await send(port, 'GET', '/');

    // Assess
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('Unexpected token');
  });

  test('/config.json tells the page to sign in locally and follow the event stream', async () => {
    await start({ dir, built: false, ms: 1 });
    const reply = await send(port, 'GET', '/config.json');
    expect(JSON.parse(reply.body)).toEqual({ apiUrl: '', live: 'sse', auth: { kind: 'local' } });
  });

  test('hands the local token to the dashboard itself only', async () => {
    // Prepare
    await start({ dir, built: false, ms: 1 });
    const same = {
      host: `127.0.0.1:${port}`,
      origin: `http://127.0.0.1:${port}`,
      'sec-fetch-site': 'same-origin',
    };

    // Act
    const ok = await send(port, 'POST', '/local/session', same);
    const viaLocalhost = await send(port, 'POST', '/local/session', { host: `localhost:${port}` });
    const otherSite = await send(port, 'POST', '/local/session', { ...same, origin: 'https://evil.example' });
    const crossSite = await send(port, 'POST', '/local/session', { ...same, 'sec-fetch-site': 'cross-site' });
    const rebound = await send(port, 'POST', '/local/session', { host: `evil.example:${port}` });
    const get = await send(port, 'GET', '/local/session', same);

    // Assess
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({
      token: 'local-token',
      tenantId: 'local',
      userId: 'local-user',
      address: '127.0.0.1',
    });
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(viaLocalhost.status).toBe(200);
    expect([otherSite.status, crossSite.status, rebound.status, get.status]).toEqual([403, 403, 403, 405]);
    expect(otherSite.body).not.toContain('local-token');
  });

  test('a request from another machine is refused whatever its headers say', () => {
    expect(
      isLocalDashboardRequest({
        headers: { host: '127.0.0.1:3000' },
        socket: { remoteAddress: '192.168.1.20' },
      }),
    ).toBe(false);
    expect(
      isLocalDashboardRequest({
        headers: { host: '127.0.0.1:3000' },
        socket: { remoteAddress: '::ffff:127.0.0.1' },
      }),
    ).toBe(true);
  });
});

describe('npm start: the dashboard build cache', () => {
  test('the inputs’ hash moves with any change of a file and is undefined when one is gone', () => {
    // Prepare
    const root = mkdtempSync(join(tmpdir(), 'tinystacks-hash-'));
    writeFileSync(join(root, 'a.ts'), 'one');
    writeFileSync(join(root, 'b.ts'), 'two');

    // Act
    const first = hashInputs(root, ['a.ts', 'b.ts']);
    const reordered = hashInputs(root, ['b.ts', 'a.ts']);
    writeFileSync(join(root, 'b.ts'), 'three');
    const changed = hashInputs(root, ['a.ts', 'b.ts']);
    const missing = hashInputs(root, ['a.ts', 'c.ts']);

    // Assess
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    expect(reordered).toBe(first);
    expect(changed).not.toBe(first);
    expect(missing).toBeUndefined();
    rmSync(root, { recursive: true, force: true });
  });
});
