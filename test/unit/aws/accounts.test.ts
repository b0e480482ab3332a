import { DomainError } from '../../../src/domain/errors';
import {
  AssumeRoleCommand,
  assumeRoleSigners,
  FUNCTION_ACCESS_KEY_ID,
  grantCredentials,
  serviceError,
  sts,
} from './sts-fakes';

const { accounts } = await import('../../../src/cloud/aws/accounts');

const roleArn = 'arn:aws:iam::444455556666:role/tinystacks';

beforeEach(() => sts.reset());

test('assumes the role directly, presenting the external id', async () => {
  // Prepare
  grantCredentials();

  // Act
  await accounts.verifyRole(roleArn, 'ext-1');

  // Assess
  expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
    { RoleArn: roleArn, ExternalId: 'ext-1', RoleSessionName: 'tinystacks-verify', DurationSeconds: 900 },
  ]);
  // Signed with the function's own role: the verifier principal the trust policy names.
  expect(await assumeRoleSigners()).toEqual([FUNCTION_ACCESS_KEY_ID]);
});

test('a role that refuses us is a 400 naming the roleArn field', async () => {
  // Prepare
  sts.on(AssumeRoleCommand).rejects(serviceError('AccessDenied'));

  // Act
  const verifying = accounts.verifyRole(roleArn, 'ext-1');

  // Assess
  await expect(verifying).rejects.toBeInstanceOf(DomainError);
  await expect(verifying).rejects.toMatchObject({
    status: 400,
    code: 'RoleNotAssumable',
    details: { field: 'roleArn' },
  });
});

test('other errors propagate', async () => {
  // Prepare
  const throttled = serviceError('Throttling');
  sts.on(AssumeRoleCommand).rejects(throttled);

  // Act
  const verifying = accounts.verifyRole(roleArn, 'ext-1');

  // Assess
  await expect(verifying).rejects.toBe(throttled);
});
