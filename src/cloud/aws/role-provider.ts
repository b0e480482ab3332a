import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * AssumeRole through the SDK's own credential provider: its STS client is the one the SDK's
 * credential chain bundles anyway, where @aws-sdk/client-sts would add ~19 KB to every function
 * that reaches a customer account (bench/PERFORMANCE.md). A provider builds its STS client once;
 * they all share one HTTP handler, so its connections are reused across roles.
 */
export type RoleProvider = ReturnType<typeof fromTemporaryCredentials>;

const requestHandler = new NodeHttpHandler();

export function roleProvider(
  params: { RoleArn: string; ExternalId?: string; RoleSessionName: string; DurationSeconds: number },
  /** Who signs the AssumeRole: the function's own role when absent. */
  masterCredentials?: RoleProvider,
): RoleProvider {
  return fromTemporaryCredentials({
    params,
    clientConfig: { requestHandler },
    ...(masterCredentials ? { masterCredentials } : {}),
  });
}
