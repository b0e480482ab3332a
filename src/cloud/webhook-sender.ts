import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkWebhookTarget, firstProblem, type Resolver, type TargetPolicy } from '../domain/webhook-guard';
import type { WebhookResult, WebhookSenderPort } from './ports';

/** Every address a name resolves to, in the resolver's order. */
export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export const WEBHOOK_TIMEOUT_MS = 5000;

const TARGET_REFUSED = 'EWEBHOOKTARGET';

/**
 * The lookup the socket connects through: the addresses it hands the socket are the ones it has
 * just checked, so a name that resolved to a public address when the URL was checked and to a
 * private one a moment later (DNS rebinding) cannot slip through between the check and the connect.
 */
function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    policy.resolve(hostname).then(
      (resolved) => {
        const addresses = resolved.filter((a) => !options.family || a.family === options.family);
        const problem = policy.allowPrivate
          ? addresses.length === 0
            ? 'does not resolve to any address'
            : undefined
          : firstProblem(addresses);
        if (problem) {
          const error = Object.assign(new Error(`host ${hostname} ${problem}`), { code: TARGET_REFUSED });
          callback(error, '', 4);
        } else if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 4),
    );
  };
}

const TLS_ERROR = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_CERT)/;

/** A failure as a dead letter shows it: what happened, never a header or a body. */
function describe(error: NodeJS.ErrnoException, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timed out after ${timeoutMs / 1000} s`;
  const code = error.code ?? error.name;
  if (code === TARGET_REFUSED) return `refused: ${error.message}`;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host does not resolve';
  if (TLS_ERROR.test(code)) return `TLS error: ${code}`;
  return `request failed: ${code}`;
}

/**
 * POSTs deliveries with node:http(s) rather than fetch: fetch cannot be told which address to
 * connect to, and this must connect only to an address it has checked. Redirects are not followed
 * (a 3xx is a failure: following one would send the signed body somewhere unchecked); no
 * connection is reused; the whole exchange has `timeoutMs`; the answer's body is not read.
 */
export function createWebhookSender(
  policy: TargetPolicy,
  options: { timeoutMs?: number } = {},
): WebhookSenderPort {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  return {
    async post(request): Promise<WebhookResult> {
      const target = await checkWebhookTarget(request.url, policy);
      if (!target.ok) return { ok: false, error: `refused: url ${target.reason}` };
      const url = new URL(request.url);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const signal = AbortSignal.timeout(timeoutMs);
      return new Promise<WebhookResult>((resolve) => {
        const req = send(
          url,
          {
            method: 'POST',
            headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
            lookup: guardedLookup(policy),
            agent: false,
            signal,
          },
          (res) => {
            const status = res.statusCode ?? 0;
            res.destroy();
            if (status >= 200 && status < 300) resolve({ ok: true, status });
            else
              resolve({
                ok: false,
                status,
                error:
                  status >= 300 && status < 400
                    ? `HTTP ${status} (redirects are not followed)`
                    : `HTTP ${status}`,
              });
          },
        );
        req.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ ok: false, error: describe(error, signal.aborted, timeoutMs) }),
        );
        req.end(request.body);
      });
    },
  };
}
