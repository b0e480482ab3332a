import type { ApiSettings } from '../settings';
import { optionalEnv, requireEnv } from './env';

export const DEFAULT_IMAGE_URI = 'public.ecr.aws/nginx/nginx:stable-alpine';

/** On AWS there is nothing to simulate: every stack must name a role the tenant proved it controls. */
export const apiSettings: ApiSettings = {
  requireRoleArn: true,
  simulatedRoleArn: '',
  platformPrincipalArn: requireEnv('PLATFORM_PRINCIPAL_ARN'),
  verifierPrincipalArn: requireEnv('VERIFIER_PRINCIPAL_ARN'),
  eventBusArn: requireEnv('EVENT_BUS_ARN'),
  defaultImageUri: optionalEnv('DEFAULT_IMAGE_URI', DEFAULT_IMAGE_URI),
};
