import type { AuthConfig } from '../config';

/** Who is signed in, and the bearer token for the API (kept in memory, never in localStorage). */
export interface Session {
  user: string;
  /** The user's address where it is known (npm start: as the server sees it), to prefill a bastion's CIDR. */
  address?: string;
  token(): Promise<string | undefined>;
  signOut?: () => Promise<void>;
}

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
