import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheControlOf, contentTypeOf } from '../static-files';
import type { LocalEndpoint } from './server';

/**
 * The dashboard on `npm start`: built once with Vite into web/dist/<hash of its inputs>/ and served at
 * `/`, with `/config.json` (where the API is, how to sign in) and `/local/session`, which hands the
 * local user's token to the page so nobody types one. On AWS the same build is served by CloudFront.
 */

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const DIST = join(ROOT, 'web/dist');
const MANIFEST = join(DIST, 'current.json');
/** Always inputs of the build, besides the modules it bundled. */
const FIXED_INPUTS = ['web/index.html', 'web/vite.config.ts', 'package-lock.json'];

interface Manifest {
  hash: string;
  /** Repository files the last build read (its modules outside node_modules, and FIXED_INPUTS). */
  inputs: string[];
}

export interface WebBuild {
  /** The folder to serve, or undefined when the build failed (`error` says why). */
  dir?: string;
  /** Whether this start built it (false: the cached build was still current). */
  built: boolean;
  ms: number;
  error?: string;
}

/** sha256 over each input's path and content: any edit, added import or dependency change moves it. */
export function hashInputs(root: string, inputs: string[]): string | undefined {
  const hash = createHash('sha256');
  for (const input of [...inputs].sort()) {
    const file = join(root, input);
    if (!existsSync(file)) return undefined;
    hash.update(`${input}\0`).update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function readManifest(): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/**
 * The current build, made when the inputs of the last one changed. Concurrent starts may both build:
 * each builds into a folder of its own and renames it into place, the first rename wins.
 */
export async function ensureWebBuild(options: { force?: boolean } = {}): Promise<WebBuild> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const manifest = readManifest();
  if (!options.force && manifest && hashInputs(ROOT, manifest.inputs) === manifest.hash) {
    const dir = join(DIST, manifest.hash);
    if (existsSync(join(dir, 'index.html'))) return { dir, built: false, ms: elapsed() };
  }
  const tmp = join(DIST, `.tmp-${process.pid}-${Date.now()}`);
  try {
    const { build } = await import('vite');
    const result = await build({
      configFile: join(ROOT, 'web/vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: tmp, emptyOutDir: true },
    });
    const outputs = (Array.isArray(result) ? result : [result]) as {
      output?: { type: string; moduleIds?: string[] }[];
    }[];
    const modules = outputs
      .flatMap((o) => o.output ?? [])
      .flatMap((chunk) => (chunk.type === 'chunk' ? (chunk.moduleIds ?? []) : []))
      .filter((id) => id.startsWith(ROOT + sep) && !id.includes(`${sep}node_modules${sep}`))
      .map((id) => relative(ROOT, id.split('?')[0]!));
    const inputs = [...new Set([...FIXED_INPUTS, ...modules])].sort();
    const hash = hashInputs(ROOT, inputs)!;
    const dir = join(DIST, hash);
    if (!existsSync(dir)) {
      try {
        renameSync(tmp, dir);
      } catch {
        // another start renamed the same build into place first
      }
    }
    rmSync(tmp, { recursive: true, force: true });
    const next = join(DIST, `.manifest-${process.pid}.json`);
    writeFileSync(next, `${JSON.stringify({ hash, inputs } satisfies Manifest, null, 2)}\n`);
    renameSync(next, MANIFEST);
    for (const entry of readdirSync(DIST)) {
      if (entry !== hash && /^[0-9a-f]{16}$/.test(entry))
        rmSync(join(DIST, entry), { recursive: true, force: true });
    }
    return { dir, built: true, ms: elapsed() };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    return { built: true, ms: elapsed(), error: error instanceof Error ? error.message : String(error) };
  }
}

/** The page may talk to its own origin only; nothing may frame it. */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const isLoopbackAddress = (address: string | undefined) =>
  !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));

/**
 * Whether a request for the local token comes from the dashboard itself, on this machine: from a
 * loopback address, to a loopback host name (a DNS-rebinding page would send its own name), and not
 * from another site (`Origin` and `Sec-Fetch-Site`, which browsers set and pages cannot forge).
 */
export function isLocalDashboardRequest(
  req: Pick<IncomingMessage, 'headers'> & { socket: { remoteAddress?: string } },
): boolean {
  if (!isLoopbackAddress(req.socket.remoteAddress)) return false;
  const host = req.headers.host ?? '';
  const hostname = host.replace(/:\d+$/, '');
  if (!LOOPBACK_HOSTS.has(hostname)) return false;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return false;
  const site = req.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin';
}

export interface LocalSession {
  token: string;
  tenantId: string;
  userId: string;
}

/** `build` may still be under way: the page's requests wait for it, the API does not. */
export function webEndpoints(options: {
  build: Promise<WebBuild>;
  session: () => LocalSession;
}): LocalEndpoint[] {
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const config: LocalEndpoint = async (req, res, url) => {
    if (url.pathname !== '/config.json' || req.method !== 'GET') return false;
    json(res, 200, { apiUrl: '', live: 'sse', auth: { kind: 'local' } });
    return true;
  };

  const session: LocalEndpoint = async (req, res, url) => {
    if (url.pathname !== '/local/session') return false;
    if (req.method !== 'POST') json(res, 405, { message: 'Method Not Allowed' });
    else if (!isLocalDashboardRequest(req))
      json(res, 403, {
        error: {
          code: 'Forbidden',
          message:
            'the local sign-in answers only the dashboard itself, opened on this machine (http://127.0.0.1 or http://localhost)',
        },
      });
    else {
      const address = req.socket.remoteAddress?.replace(/^::ffff:/, '');
      json(res, 200, { ...options.session(), ...(address && !address.includes(':') ? { address } : {}) });
    }
    return true;
  };

  const files: LocalEndpoint = async (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (url.pathname.startsWith('/v1/') || url.pathname.startsWith('/local/')) return false;
    const build = await options.build;
    const dir = build.dir;
    if (!dir) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`The dashboard could not be built: ${build.error}\nThe API runs at /v1.\n`);
      return true;
    }
    const path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.(\/|\\|$))+/, '');
    let file = join(dir, path);
    const inside = file.startsWith(dir + sep);
    if (!inside || !existsSync(file) || !statSync(file).isFile()) {
      // A page of the app (/stacks/…) gets the app; a missing asset is a 404.
      if (extname(url.pathname) !== '') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        return true;
      }
      file = join(dir, 'index.html');
    }
    const type = contentTypeOf(file);
    const isHtml = type.startsWith('text/html');
    res.writeHead(200, {
      'content-type': type,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'cache-control': cacheControlOf(relative(dir, file).split(sep).join('/')),
      ...(isHtml ? { 'content-security-policy': DASHBOARD_CSP, 'x-frame-options': 'DENY' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
    return true;
  };

  return [config, session, files];
}
