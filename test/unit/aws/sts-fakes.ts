// The STS client the SDK's credential providers use (src/cloud/aws/assume-role.ts says why we go through them).
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/nested-clients/sts';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';

export const PLATFORM_PRINCIPAL_ARN = 'arn:aws:iam::111122223333:role/tinystacks-ci-customer-access';
process.env.PLATFORM_PRINCIPAL_ARN = PLATFORM_PRINCIPAL_ARN;
/** The function's own role, as Lambda hands it over (environment variables). */
export const FUNCTION_ACCESS_KEY_ID = 'AKIA-FUNCTION-ROLE';
process.env.AWS_ACCESS_KEY_ID = FUNCTION_ACCESS_KEY_ID;
process.env.AWS_SECRET_ACCESS_KEY = 'function-secret';

export { AssumeRoleCommand };

export const sts = mockClient(STSClient);

/** An AWS error as the SDK builds it for codes it has no class for (STS AccessDenied, CloudFormation Throttling...). */
export const serviceError = (name: string) =>
  new STSServiceException({ name, $fault: 'client', $metadata: {}, message: `${name} happened` });

/** Credentials valid for `seconds` from the (faked) clock, named after the role so tests can tell them apart. */
export function grantCredentials(seconds = 900) {
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => ({
    Credentials: {
      AccessKeyId: `AKIA-${input.RoleArn.split('/').pop()}`,
      SecretAccessKey: 'secret',
      SessionToken: 'session',
      Expiration: new Date(Date.now() + seconds * 1000),
    },
  }));
}

export const assumedRoles = () =>
  sts.commandCalls(AssumeRoleCommand).map((c) => {
    const { RoleArn, ExternalId, RoleSessionName, DurationSeconds } = c.args[0].input;
    return { RoleArn, ExternalId, RoleSessionName, DurationSeconds };
  });

let clock = Date.parse('2030-01-01T00:00:00Z');

/**
 * Each test starts a day after the last, so no credentials cached by an earlier test are still
 * valid and every test sees the same sequence of STS calls.
 */
export function freshClock() {
  clock += 24 * 60 * 60 * 1000;
  jest.spyOn(Date, 'now').mockImplementation(() => clock);
  return { advance: (ms: number) => (clock += ms) };
}

export const refuseRole = (roleArn: string, error: Error) =>
  sts.on(AssumeRoleCommand, { RoleArn: roleArn }).rejects(error);

/** The access key id each AssumeRole call was signed with, in call order. */
export async function assumeRoleSigners(): Promise<string[]> {
  const calls = sts.commandCalls(AssumeRoleCommand);
  return Promise.all(
    calls.map(async (call) => {
      const client = call.thisValue as STSClient;
      const identity = await client.config.credentials();
      return identity.accessKeyId;
    }),
  );
}
