import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PushPayload } from './input/github';
import { PUSH_COMMITS_LIMIT } from './changes';
import type { Commit, RunPush } from './pipeline';
import { runAuthor, type RunAuthor } from './approval-policy';

export type { PushPayload };

/**
 * GitHub webhooks. `X-Hub-Signature-256: sha256=<hex>` is HMAC-SHA256 of the raw body with the
 * webhook's secret; it is compared in constant time, before anything else looks at the request.
 */
export function verifyGitHubSignature(secret: string, rawBody: string, header: string | undefined): boolean {
  const match = /^sha256=([0-9a-f]{64})$/.exec(header?.trim() ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(rawBody, 'utf8').digest();
  return timingSafeEqual(Buffer.from(match[1]!, 'hex'), expected);
}

export const signGitHubPayload = (secret: string, rawBody: string) =>
  `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;

export type PushDecision =
  | { kind: 'run'; branch: string; commit: Commit; pusher: string; author: RunAuthor; push?: RunPush }
  | { kind: 'ignored'; reason: string };

/** Where the branch was before the push and how many commits it added, when the payload says so. */
function pushRecordOf(payload: PushPayload): RunPush | undefined {
  const before = payload.before;
  if (!before || !/^[0-9a-f]{40}$/.test(before) || ZERO_SHA.test(before)) return undefined;
  const count = payload.commits?.length;
  return {
    before,
    ...(count !== undefined && count < PUSH_COMMITS_LIMIT ? { commitCount: count } : {}),
    ...(payload.forced ? { forced: true } : {}),
  };
}

const ZERO_SHA = /^0{40}$/;

/** A push to the stack's branch starts a run; tags, deletions, other branches and repositories do not. */
export function classifyPush(
  payload: PushPayload,
  stack: { repository: string; branch: string },
): PushDecision {
  const ref = payload.ref ?? '';
  const repository = payload.repository?.full_name ?? '';
  if (repository.toLowerCase() !== stack.repository.toLowerCase())
    return {
      kind: 'ignored',
      reason: `repository ${repository || '(none)'} is not the stack's ${stack.repository}`,
    };
  if (ref.startsWith('refs/tags/')) return { kind: 'ignored', reason: `tag push ${ref.slice(10)}` };
  if (!ref.startsWith('refs/heads/'))
    return { kind: 'ignored', reason: `ref ${ref || '(none)'} is not a branch` };
  const branch = ref.slice('refs/heads/'.length);
  if (payload.deleted === true || ZERO_SHA.test(payload.after ?? ''))
    return { kind: 'ignored', reason: `branch ${branch} was deleted` };
  if (branch !== stack.branch)
    return { kind: 'ignored', reason: `branch ${branch} is not the stack's branch ${stack.branch}` };
  const sha = payload.after ?? payload.head_commit?.id;
  if (!sha || !/^[0-9a-f]{40}$/.test(sha)) return { kind: 'ignored', reason: 'the push names no commit' };
  const head = payload.head_commit ?? undefined;
  const author = head?.author?.username ?? head?.author?.name ?? payload.pusher?.name;
  const push = pushRecordOf(payload);
  return {
    kind: 'run',
    branch,
    ...(push ? { push } : {}),
    pusher: payload.pusher?.name ?? author ?? 'github',
    // The head commit's author (`username` is there only when GitHub knows the author's email) and
    // the pusher (`name` is their login): either may be barred from approving their own change.
    author: runAuthor(
      [head?.author?.username, payload.pusher?.name],
      [head?.author?.email, payload.pusher?.email],
    ),
    commit: {
      sha,
      ...(head?.message ? { message: head.message.slice(0, 500) } : {}),
      ...(author ? { author } : {}),
      ...(head?.url ? { url: head.url } : {}),
    },
  };
}
