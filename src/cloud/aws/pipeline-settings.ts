import { SecretCache } from '../secret-cache';
import type { PipelineSettings } from '../settings';
import { DEFAULT_APPROVAL_TIMEOUT_SECONDS } from '../../domain/pipeline';
import { optionalEnv, requireEnv } from './env';
import { platformSecrets as port } from './platform-secrets';

const prefix = requireEnv('SECRET_PREFIX');

export const pipelineSettings: PipelineSettings = {
  publicApiUrl: requireEnv('PUBLIC_API_URL').replace(/\/$/, ''),
  secretPrefix: prefix,
  linkKeySecretName: `${prefix}/approval-link-key`,
  slackSecretName: `${prefix}/slack`,
  approvalTimeoutSeconds: Number(
    optionalEnv('APPROVAL_TIMEOUT_SECONDS', String(DEFAULT_APPROVAL_TIMEOUT_SECONDS)),
  ),
};

/** One cache per function instance: webhook secrets and keys are read from Secrets Manager once per 5 minutes. */
// Pure: a function that does not use the platform's secrets does not bundle their client.
export const platformSecrets = /* @__PURE__ */ new SecretCache(port);
