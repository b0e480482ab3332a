import {
  approvalOnCreate,
  approvalOnUpdate,
  approvalPolicyOf,
  identityOf,
  linkRecipients,
  ONE_APPROVAL,
  refusalOf,
  runAuthor,
  type Approver,
  type ApprovalPolicy,
} from '../../../src/domain/approval-policy';
import { callerFromClaims, TENANT_CLAIM } from '../../../src/domain/caller';
import { createStageBody, updateStageBody } from '../../../src/domain/input/stage';
import { parsePart } from '../../../src/domain/input/parse';
import { DomainError } from '../../../src/domain/errors';

const TWO: ApprovalPolicy = { required: 2, approvers: null, allowSelfApproval: false };

/** The 400 a call throws: its field and message. */
function refused(call: () => unknown): { field: unknown; message: string } {
  try {
    call();
  } catch (error) {
    if (error instanceof DomainError && error.status === 400)
      return { field: error.details.field, message: error.message };
    throw error;
  }
  throw new Error('not refused');
}

describe('a stage’s approval policy on create', () => {
  test.each([
    ['neither field', {}, null],
    ['requireApproval: true, the one-approval shorthand', { requireApproval: true }, ONE_APPROVAL],
    ['requireApproval: false', { requireApproval: false }, null],
    ['approval: null', { approval: null }, null],
    [
      'a policy, self-approval off unless said',
      { approval: { required: 2 } },
      { required: 2, approvers: null, allowSelfApproval: false },
    ],
    [
      'a policy with requireApproval: true beside it',
      { requireApproval: true, approval: { required: 1, allowSelfApproval: true } },
      { required: 1, approvers: null, allowSelfApproval: true },
    ],
    ['requireApproval: false with approval: null', { requireApproval: false, approval: null }, null],
  ])('%s', (_, body, expected) => {
    // Act
    const policy = approvalOnCreate(body);

    // Assess
    expect(policy).toEqual(expected);
  });

  test.each([
    ['requireApproval: false beside a policy', { requireApproval: false, approval: { required: 2 } }],
    ['requireApproval: true beside approval: null', { requireApproval: true, approval: null }],
  ])('%s is a contradiction: a 400 naming requireApproval', (_, body) => {
    // Act
    const error = refused(() => approvalOnCreate(body));

    // Assess
    expect(error.field).toBe('requireApproval');
  });

  test('more approvals required than approvers listed: a 400 naming approval.required', () => {
    // Act
    const error = refused(() =>
      approvalOnCreate({ approval: { required: 3, approvers: ['a@example.com', 'b@example.com'] } }),
    );

    // Assess
    expect(error).toEqual({
      field: 'approval.required',
      message: expect.stringContaining('only 2 approvers'),
    });
  });

  test('an approver listed twice (emails in any case) is a 400 naming the second entry', () => {
    // Act
    const error = refused(() =>
      approvalOnCreate({
        approval: { required: 1, approvers: ['Alice@Example.com', 'bob', 'alice@example.com'] },
      }),
    );

    // Assess
    expect(error.field).toBe('approval.approvers.2');
  });

  test('listed emails are compared in lower case; subjects and Slack ids as given', () => {
    // Act
    const policy = approvalOnCreate({
      approval: { required: 2, approvers: ['Alice@Example.com', 'Auth0|Bob', 'slack:U0123ABCD'] },
    });

    // Assess
    expect(policy?.approvers).toEqual(['alice@example.com', 'Auth0|Bob', 'slack:U0123ABCD']);
  });
});

describe('the request schemas', () => {
  test.each([
    ['required 0', { required: 0 }, 'approval.required'],
    ['required 11', { required: 11 }, 'approval.required'],
    ['required 1.5', { required: 1.5 }, 'approval.required'],
    ['an empty approver list', { required: 1, approvers: [] }, 'approval.approvers'],
    ['an approver with a space', { required: 1, approvers: ['not an approver'] }, 'approval.approvers.0'],
    ['a Slack name, not a member id', { required: 1, approvers: ['slack:jdoe'] }, 'approval.approvers.0'],
    ['an unknown field', { required: 1, quorum: 2 }, 'approval.quorum'],
    [
      'a string for allowSelfApproval',
      { required: 1, allowSelfApproval: 'no' },
      'approval.allowSelfApproval',
    ],
  ])('%s is a 400 naming %s', (_, approval, field) => {
    // Act
    const error = refused(() => parsePart(createStageBody, { name: 'prod', approval }, 'body'));

    // Assess
    expect(error.field).toBe(field);
  });

  test('a PATCH may remove the policy with null, and gives it whole', () => {
    // Act
    const removed = parsePart(updateStageBody, { approval: null }, 'body');
    const given = parsePart(
      updateStageBody,
      { approval: { required: 2, approvers: ['a@example.com', 'sub-123', 'slack:W0ABCDEF'] } },
      'body',
    );

    // Assess
    expect(removed).toEqual({ approval: null });
    expect(given.approval?.approvers).toHaveLength(3);
  });
});

describe('a stage’s approval policy on PATCH', () => {
  test.each([
    ['nothing about approval keeps the policy', TWO, {}, TWO],
    ['requireApproval: true keeps a policy', TWO, { requireApproval: true }, TWO],
    [
      'requireApproval: true gives a stage without one the shorthand',
      null,
      { requireApproval: true },
      ONE_APPROVAL,
    ],
    ['requireApproval: false removes the policy', TWO, { requireApproval: false }, null],
    ['approval: null removes the policy', TWO, { approval: null }, null],
    [
      'a policy replaces the old one whole',
      { required: 2, approvers: ['a@example.com', 'b@example.com'], allowSelfApproval: true },
      { approval: { required: 1 } },
      { required: 1, approvers: null, allowSelfApproval: false },
    ],
  ])('%s', (_, current, patch, expected) => {
    // Act
    const policy = approvalOnUpdate(current, patch);

    // Assess
    expect(policy).toEqual(expected);
  });

  test('a contradiction is a 400 naming requireApproval', () => {
    // Act
    const error = refused(() => approvalOnUpdate(TWO, { requireApproval: false, approval: { required: 1 } }));

    // Assess
    expect(error.field).toBe('requireApproval');
  });

  test('a stage stored before policies reads as its requireApproval said', () => {
    // Act
    const gated = approvalPolicyOf({ requireApproval: true });
    const open = approvalPolicyOf({ requireApproval: false });

    // Assess
    expect([gated, open]).toEqual([ONE_APPROVAL, null]);
  });
});

describe('who may decide', () => {
  const author = runAuthor(['Mona', 'octocat'], ['mona@example.com', null, 'not an address']);
  const user = (userId: string, email?: string): Approver => ({
    via: 'user',
    userId,
    ...(email ? { email } : {}),
  });
  const check = (
    policy: ApprovalPolicy,
    approver: Approver,
    decision: 'approve' | 'reject' = 'approve',
    approvedBy: string[] = [],
  ) => refusalOf({ policy, author, approver, decision, approvedBy })?.reason;

  test('the author is known by their email claim or by a sub equal to their GitHub login (any case)', () => {
    // Act
    const byEmail = check(TWO, user('u-1', 'mona@example.com'));
    const byLogin = check(TWO, user('mona'));
    const byPusherLogin = check(TWO, user('OctoCat'));
    const byLink = check(TWO, { via: 'link', email: 'mona@example.com' });
    const someoneElse = check(TWO, user('u-2', 'alice@example.com'));

    // Assess
    expect([byEmail, byLogin, byPusherLogin, byLink, someoneElse]).toEqual([
      'author',
      'author',
      'author',
      'author',
      undefined,
    ]);
    expect(author.emails).toEqual(['mona@example.com']);
  });

  test('the author may approve where self-approval is allowed, and may always reject', () => {
    // Act
    const allowed = check({ ...TWO, allowSelfApproval: true }, user('mona'));
    const reject = check(TWO, user('mona'), 'reject');

    // Assess
    expect([allowed, reject]).toEqual([undefined, undefined]);
  });

  test('with approvers listed, only they decide (by sub or email); others get a 403 saying so', () => {
    // Prepare
    const policy: ApprovalPolicy = {
      required: 1,
      approvers: ['alice@example.com', 'sub-bob'],
      allowSelfApproval: false,
    };

    // Act
    const results = [
      check(policy, user('u-1', 'alice@example.com')),
      check(policy, user('sub-bob')),
      check(policy, { via: 'link', email: 'alice@example.com' }),
      check(policy, user('carol', 'carol@example.com')),
      check(policy, user('carol', 'carol@example.com'), 'reject'),
      check(policy, { via: 'link', email: 'ops@example.com' }),
    ];
    const refusal = refusalOf({
      policy,
      author,
      approver: user('carol'),
      decision: 'approve',
      approvedBy: [],
    });

    // Assess
    expect(results).toEqual([undefined, undefined, undefined, 'not-listed', 'not-listed', 'not-listed']);
    expect(refusal).toMatchObject({
      status: 403,
      message: expect.stringContaining('carol is not one of them'),
    });
  });

  test('one identity approves once: a user with an email is the same person as their email link', () => {
    // Act
    const again = refusalOf({
      policy: TWO,
      author,
      approver: user('u-1', 'alice@example.com'),
      decision: 'approve',
      approvedBy: ['alice@example.com'],
    });

    // Assess
    expect(again).toMatchObject({ reason: 'already-approved', status: 409 });
    expect(identityOf({ via: 'link', email: 'alice@example.com' })).toBe('alice@example.com');
    expect(identityOf(user('u-1'))).toBe('u-1');
    expect(identityOf({ via: 'slack', slackUserId: 'U0123ABCD' })).toBe('slack:U0123ABCD');
  });

  test('a Slack user, who cannot be checked against the author, approves where self-approval is allowed or they are listed', () => {
    // Prepare
    const slack: Approver = { via: 'slack', slackUserId: 'U0123ABCD' };

    // Act
    const unlisted = check(TWO, slack);
    const selfAllowed = check({ ...TWO, allowSelfApproval: true }, slack);
    const listed = check({ required: 1, approvers: ['slack:U0123ABCD'], allowSelfApproval: false }, slack);
    const reject = check(TWO, slack, 'reject');

    // Assess
    expect([unlisted, selfAllowed, listed, reject]).toEqual([
      'unverifiable',
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('links go to the stack’s approval emails and the listed approvers’ emails, once each', () => {
    // Act
    const recipients = linkRecipients(['Ops@Example.com', 'alice@example.com'], {
      required: 2,
      approvers: ['alice@example.com', 'bob@example.com', 'sub-carol', 'slack:U0123ABCD'],
      allowSelfApproval: false,
    });

    // Assess
    expect(recipients).toEqual(['ops@example.com', 'alice@example.com', 'bob@example.com']);
  });
});

describe('the email claim', () => {
  const claims = (extra: Record<string, unknown>) => ({ sub: 'u-1', [TENANT_CLAIM]: 'acme', ...extra });

  test.each([
    ['an address, lower-cased', { email: 'Alice@Example.com' }, { email: 'alice@example.com' }],
    ['none', {}, {}],
    ['one marked unverified (a boolean)', { email: 'alice@example.com', email_verified: false }, {}],
    [
      'one marked unverified (API Gateway’s string)',
      { email: 'alice@example.com', email_verified: 'false' },
      {},
    ],
    [
      'one marked verified',
      { email: 'alice@example.com', email_verified: 'true' },
      { email: 'alice@example.com' },
    ],
  ])('%s', (_, extra, expected) => {
    // Act
    const caller = callerFromClaims(claims(extra));

    // Assess
    expect(caller).toEqual({ tenantId: 'acme', userId: 'u-1', ...expected });
  });

  test.each([
    ['a number', 42],
    ['an object', { address: 'alice@example.com' }],
    ['an object as API Gateway renders it', '{"address":"alice@example.com"}'],
    ['two addresses', 'alice@example.com bob@example.com'],
    ['a header injection', 'alice@example.com\r\nBcc: eve@example.com'],
  ])('%s refuses the token, like a bad tenant or sub claim', (_, email) => {
    // Act
    const caller = callerFromClaims(claims({ email }));

    // Assess
    expect(caller).toBeUndefined();
  });
});
