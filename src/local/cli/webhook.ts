import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signGitHubPayload } from '../../domain/github';
import { webhookSecretNameOf, type WebhookSecret } from '../../domain/pipeline';
import { LOCAL_SECRET_PREFIX } from '../pipelines-runtime';
import { secretsFileOf } from '../platform-secrets';
import { runningServerUrl } from '../server-file';

/**
 * `npm run webhook -- <stackId> [branch] [--message TEXT] [--commit SHA] [--commits N]
 * [--author-email EMAIL] [--author-login LOGIN]`: sends the running server a push as GitHub would
 * (X-Hub-Signature-256 with the stack's webhook secret, X-GitHub-Delivery), so a push can be watched
 * going through the stages. Like GitHub's, the push says where the branch was (`before`: the commit
 * of the stack's latest run, as if each push followed the previous one) and lists its commits
 * (`--commits N`, default 1, the last one the pushed head). The secret is read from the server's
 * secrets file, the server's URL from .tinystacks/server.json (TINYSTACKS_URL overrides it).
 * `--commit` pushes a given commit (a full SHA) again, rather than a new one: a run of a commit built
 * before reuses its image. `--author-email` / `--author-login` name the commit's author.
 */
const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : undefined;
};
const message = option('--message');
const commitCount = Number(option('--commits') ?? 1);
const commit = option('--commit');
const authorEmail = option('--author-email');
const authorLogin = option('--author-login');
const [stackId, branchArg] = args;
const dataDir = process.env.TINYSTACKS_DATA_DIR ?? '.tinystacks';
const baseUrl = runningServerUrl(dataDir, process.env);

function fail(text: string, code = 1): never {
  process.stderr.write(`${text}\n`);
  process.exit(code);
}

if (!stackId || !/^stk_[0-9a-z]{26}$/.test(stackId) || !Number.isInteger(commitCount) || commitCount < 1)
  fail(
    'usage: npm run webhook -- <stackId> [branch] [--message TEXT] [--commit SHA] [--commits N] [--author-email EMAIL] [--author-login LOGIN]',
    2,
  );
if (commit !== undefined && !/^[0-9a-f]{40}$/.test(commit))
  fail('--commit must be a full 40-character commit SHA (lowercase hex)', 2);
const file = secretsFileOf(dataDir);
if (!existsSync(file))
  fail(`no ${file}: start the server with \`npm start\` first (a --memory server keeps no secrets file)`);
const stored = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)[
  webhookSecretNameOf(LOCAL_SECRET_PREFIX, stackId)
];
if (!stored) fail(`no webhook secret for ${stackId} in ${file}: is it a stack of this server?`);
const secret = JSON.parse(stored) as WebhookSecret;

const token = existsSync(join(dataDir, 'local-token'))
  ? readFileSync(join(dataDir, 'local-token'), 'utf8').trim()
  : '';
const stackReply = await fetch(`${baseUrl}/v1/stacks/${stackId}`, {
  headers: { authorization: `Bearer ${token}` },
}).catch(() => fail(`cannot reach ${baseUrl}: is \`npm start\` running?`));
const stack = stackReply.ok
  ? ((await stackReply.json()) as { repository: string; branch: string })
  : undefined;
const repository = stack?.repository ?? 'acme/shop';
const branch = branchArg ?? stack?.branch ?? 'main';
const runsReply = stackReply.ok
  ? await fetch(`${baseUrl}/v1/stacks/${stackId}/runs?limit=1`, {
      headers: { authorization: `Bearer ${token}` },
    })
  : undefined;
const latest = runsReply?.ok
  ? ((await runsReply.json()) as { items?: { branch?: string; commit?: { sha?: string | null } }[] })
      .items?.[0]
  : undefined;
const before = (latest?.branch === branch ? latest.commit?.sha : undefined) ?? '0'.repeat(40);
const sha = commit ?? randomBytes(20).toString('hex');
const timestamp = new Date().toISOString();
const commitMessage = message ?? `Local change ${timestamp}`;
const author = {
  name: authorLogin ?? process.env.USER ?? 'The Octocat',
  email: authorEmail ?? 'octocat@example.com',
  username: authorLogin ?? process.env.USER ?? 'octocat',
};
const commits = Array.from({ length: commitCount }, (_, i) => {
  const id = i === commitCount - 1 ? sha : randomBytes(20).toString('hex');
  const text = i === commitCount - 1 ? commitMessage : `${commitMessage} (part ${i + 1})`;
  return { id, message: text, timestamp, url: `https://github.com/${repository}/commit/${id}`, author };
});
const payload = {
  ref: `refs/heads/${branch}`,
  before,
  after: sha,
  created: /^0+$/.test(before),
  deleted: false,
  forced: false,
  compare: `https://github.com/${repository}/compare/${before.slice(0, 12)}...${sha.slice(0, 12)}`,
  commits,
  repository: {
    full_name: repository,
    name: repository.split('/')[1],
    owner: { login: repository.split('/')[0] },
  },
  pusher: { name: authorLogin ?? process.env.USER ?? 'octocat', email: authorEmail ?? 'octocat@example.com' },
  head_commit: commits[commits.length - 1],
};
const body = JSON.stringify(payload);
const deliveryId = randomUUID();
const res = await fetch(`${baseUrl}/v1/webhooks/github?stack=${stackId}`, {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/tinystacks-local',
    'x-github-event': 'push',
    'x-github-delivery': deliveryId,
    'x-hub-signature-256': signGitHubPayload(secret.secret, body),
  },
  body,
});
const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
process.stdout.write(
  `push of ${sha} to ${repository}@${branch} (delivery ${deliveryId}): ${res.status} ${JSON.stringify(answer)}\n`,
);
if (typeof answer.runId === 'string') {
  process.stdout.write(
    `watch it: curl -s -H "Authorization: Bearer $(cat ${join(dataDir, 'local-token')})" ${baseUrl}/v1/runs/${answer.runId} | jq '{status, stages}'\n`,
  );
}
if (!res.ok) process.exit(1);
