import { createRemoteJWKSet, jwtVerify } from 'jose';
import { callerFromClaims } from '../../domain/caller';
import type { JwtVerifierPort } from '../ports';
import { requireEnv } from './env';

const issuer = requireEnv('JWT_ISSUER_URL').replace(/\/$/, '');
const audience = requireEnv('JWT_AUDIENCE');
/** Fetched once per function instance and cached by jose (keys rotate rarely). */
const keys = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));

/**
 * The checks API Gateway's JWT authorizer makes (signature by the issuer's keys, `iss`, `exp`, `nbf`,
 * and `aud` or, for Cognito access tokens, `client_id`; jose checks `nbf` itself), for the approval routes, which have no
 * authorizer because approval links must work without a session.
 */
export const jwtVerifier: JwtVerifierPort = {
  async verify(token) {
    try {
      const { payload } = await jwtVerify(token, keys, { issuer });
      const audiences = Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [];
      if (!audiences.includes(audience) && payload.client_id !== audience) return undefined;
      return callerFromClaims(payload);
    } catch {
      return undefined;
    }
  },
};
