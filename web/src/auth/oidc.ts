import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { AuthConfig } from '../config';
import type { Session } from './types';

type OidcConfig = Extract<AuthConfig, { kind: 'oidc' }>;

export const CALLBACK_PATH = '/auth/callback';

/**
 * Authorization code + PKCE (oidc-client-ts does both; the client has no secret). The library keeps
 * its session in sessionStorage: gone with the tab, never in localStorage. Tokens renew silently with
 * the refresh token the issuer gives.
 */
export async function startOidcSession(config: OidcConfig): Promise<Session | 'redirecting'> {
  const manager = new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: `${location.origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${location.origin}/`,
    response_type: 'code',
    scope: config.scope ?? 'openid email profile',
    automaticSilentRenew: true,
    userStore: new WebStorageStateStore({ store: sessionStorage }),
  });
  if (location.pathname === CALLBACK_PATH) {
    const user = await manager.signinRedirectCallback();
    const returnTo = typeof user.state === 'string' && user.state.startsWith('/') ? user.state : '/';
    history.replaceState(null, '', returnTo);
  }
  let user = await manager.getUser();
  if (!user || user.expired) {
    await manager.signinRedirect({ state: `${location.pathname}${location.search}` });
    return 'redirecting';
  }
  manager.events.addUserLoaded((loaded) => {
    user = loaded;
  });
  const pick = () => (config.tokenType === 'access' ? user?.access_token : user?.id_token);
  return {
    user: String(user.profile.email ?? user.profile.preferred_username ?? user.profile.sub),
    async token() {
      if (user?.expired) user = await manager.signinSilent().catch(() => null);
      return pick();
    },
    signOut: () => manager.signoutRedirect(),
  };
}
