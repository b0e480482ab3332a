import type { AuthConfig } from '../config';
import type { Session } from './types';

/**
 * On `npm start`, the server hands its local user's token to the page (only to a same-origin request
 * from this machine: src/local/web.ts), so nobody types anything. On AWS, OIDC authorization code
 * with PKCE against the issuer the API trusts (oidc-client-ts, loaded only there).
 */
export async function startSession(auth: AuthConfig): Promise<Session | 'redirecting'> {
  if (auth.kind === 'oidc') {
    const { startOidcSession } = await import('./oidc');
    return startOidcSession(auth);
  }
  const response = await fetch('/local/session', { method: 'POST', credentials: 'same-origin' });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new Error(body.error?.message ?? `the local sign-in answered ${response.status}`);
  }
  const { token, userId, tenantId, address } = (await response.json()) as {
    token: string;
    userId: string;
    tenantId: string;
    address?: string;
  };
  return { user: `${userId} (${tenantId})`, address, token: async () => token };
}
