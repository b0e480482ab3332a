/**
 * What the dashboard learns where it is served from (`/config.json`), so one build runs anywhere:
 * `npm start` answers it itself; `serverless deploy` writes it next to the app with the deploy's
 * parameters. No secret in it: the OIDC client is public and uses PKCE.
 */
export type AuthConfig =
  | { kind: 'local' }
  | {
      kind: 'oidc';
      /** The issuer the API's JWT authorizer trusts (a Cognito user pool's). */
      authority: string;
      clientId: string;
      scope?: string;
      /** Which token the API gets: Cognito's ID token carries `aud` and the tenant claim. */
      tokenType?: 'id' | 'access';
    };

export interface DashboardConfig {
  /** Where the API is: '' for the same origin. */
  apiUrl: string;
  /** 'sse': `GET /v1/events` exists (npm start); 'poll': ask `GET /v1/operations/{id}` (AWS). */
  live: 'sse' | 'poll';
  auth: AuthConfig;
}

export async function loadConfig(): Promise<DashboardConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  return (await response.json()) as DashboardConfig;
}
