import { readFileSync } from 'node:fs';
import {
  classifyPush,
  signGitHubPayload,
  verifyGitHubSignature,
  type PushPayload,
} from '../../../src/domain/github';

describe('X-Hub-Signature-256', () => {
  test("GitHub's documented test vector verifies", () => {
    // Prepare
    const secret = "It's a Secret to Everybody";
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

    // Act
    const valid = verifyGitHubSignature(secret, 'Hello, World!', header);

    // Assess
    expect(valid).toBe(true);
    expect(signGitHubPayload(secret, 'Hello, World!')).toBe(header);
  });

  test.each([
    ['another body', "It's a Secret to Everybody", 'Hello, World?', undefined],
    ['another secret', 'not the secret', 'Hello, World!', undefined],
    ['no header', "It's a Secret to Everybody", 'Hello, World!', ''],
    [
      'the SHA-1 header format',
      "It's a Secret to Everybody",
      'Hello, World!',
      'sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59',
    ],
    [
      'a truncated signature',
      "It's a Secret to Everybody",
      'Hello, World!',
      'sha256=757107ea0eb2509fc211221cce984b8a',
    ],
    ['upper-case garbage', "It's a Secret to Everybody", 'Hello, World!', 'sha256=ZZZ'],
  ])('refuses %s', (_, secret, body, header) => {
    // Act
    const valid = verifyGitHubSignature(
      secret,
      body,
      header ?? 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );

    // Assess
    expect(valid).toBe(false);
  });
});

describe('which pushes start a run', () => {
  const stack = { repository: 'acme/shop', branch: 'main' };
  const sha = 'a'.repeat(40);
  const push = (fields: Record<string, unknown>) => ({
    ref: 'refs/heads/main',
    after: sha,
    repository: { full_name: 'acme/shop' },
    pusher: { name: 'octocat', email: 'octocat@example.com' },
    head_commit: {
      id: sha,
      message: 'Fix',
      author: { name: 'Mona', username: 'mona', email: 'Mona@Example.com' },
    },
    ...fields,
  });

  test('a push to the stack’s branch, with its commit, author and message', () => {
    // Act
    const decision = classifyPush(push({}), stack);

    // Assess
    expect(decision).toEqual({
      kind: 'run',
      branch: 'main',
      pusher: 'octocat',
      commit: { sha, message: 'Fix', author: 'mona' },
      author: { logins: ['mona', 'octocat'], emails: ['mona@example.com', 'octocat@example.com'] },
    });
  });

  test('the author is what GitHub says of them: no username or email (null) is left out', () => {
    // Prepare: a commit email GitHub links to no account, and a pusher whose email GitHub hides
    const payload = push({
      pusher: { name: 'octocat', email: null },
      head_commit: { id: sha, message: 'Fix', author: { name: 'Mona', email: 'mona@example.com' } },
    });

    // Act
    const decision = classifyPush(payload, stack);

    // Assess
    expect(decision).toMatchObject({ author: { logins: ['octocat'], emails: ['mona@example.com'] } });
  });

  test.each([
    ['another branch', { ref: 'refs/heads/feature' }, /branch feature is not the stack's branch main/],
    ['a tag', { ref: 'refs/tags/v1.0.0' }, /tag push v1.0.0/],
    ['a deleted branch', { deleted: true, after: '0'.repeat(40), head_commit: null }, /was deleted/],
    [
      'another repository',
      { repository: { full_name: 'evil/shop' } },
      /repository evil\/shop is not the stack's/,
    ],
  ])('ignores %s', (_, fields, reason) => {
    // Act
    const decision = classifyPush(push(fields), stack);

    // Assess
    expect(decision.kind).toBe('ignored');
    expect(decision.kind === 'ignored' && decision.reason).toMatch(reason);
  });
});

describe('the sample push in events/samples/github', () => {
  test('starts a run of its head commit', () => {
    // Prepare
    const sample = JSON.parse(
      readFileSync(new URL('../../../events/samples/github/push.json', import.meta.url), 'utf8'),
    ) as { body: PushPayload };

    // Act
    const decision = classifyPush(sample.body, { repository: 'acme/shop', branch: 'main' });

    // Assess
    expect(decision).toMatchObject({
      kind: 'run',
      commit: {
        sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
        author: 'mona',
        message: 'Fix the checkout button',
      },
    });
  });
});
