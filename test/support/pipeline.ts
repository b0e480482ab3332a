import { randomBytes, randomUUID } from 'node:crypto';
import { signGitHubPayload } from '../../src/domain/github';
import type { BusEvent } from '../../src/local/bus';
import { startRuntime, type Runtime } from '../../src/local/runtime';
import { client, type Client } from './client';

/** A push event as GitHub sends it (the fields this backend reads, and a few more). */
export function pushPayload(
  options: {
    repository?: string;
    branch?: string;
    sha?: string;
    message?: string;
    ref?: string;
    /** Who wrote and pushed the commit (octocat, octocat@example.com unless given). */
    author?: { login: string; email: string };
  } = {},
) {
  const sha = options.sha ?? randomBytes(20).toString('hex');
  return {
    ref: options.ref ?? `refs/heads/${options.branch ?? 'main'}`,
    before: '0'.repeat(40),
    after: sha,
    deleted: false,
    repository: { full_name: options.repository ?? 'acme/shop', default_branch: 'main' },
    pusher: {
      name: options.author?.login ?? 'octocat',
      email: options.author?.email ?? 'octocat@example.com',
    },
    head_commit: {
      id: sha,
      message: options.message ?? 'Fix the checkout button',
      url: `https://github.com/${options.repository ?? 'acme/shop'}/commit/${sha}`,
      author: {
        name: 'The Octocat',
        username: options.author?.login ?? 'octocat',
        ...(options.author ? { email: options.author.email } : {}),
      },
    },
  };
}

/** POSTs a delivery to the webhook as GitHub does: raw JSON body, signed, with its event and delivery id. */
export async function deliver(
  baseUrl: string,
  stackId: string,
  secret: string,
  payload: unknown,
  options: { event?: string; deliveryId?: string; signature?: string } = {},
) {
  const body = JSON.stringify(payload);
  const res = await fetch(`${baseUrl}/v1/webhooks/github?stack=${stackId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': options.event ?? 'push',
      'x-github-delivery': options.deliveryId ?? randomUUID(),
      'x-hub-signature-256': options.signature ?? signGitHubPayload(secret, body),
      'user-agent': 'GitHub-Hookshot/test',
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** Polls until `check` returns something, bounded so a stuck workflow fails the test. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface RunBody {
  runId: string;
  status: string;
  imageUri: string | null;
  build: { status: string; imageUri: string | null; pipelineExecutionId: string | null } | null;
  error: string | null;
  commit: { sha: string | null };
  stages: { name: string; status: string; approvalId: string | null; operationId: string | null }[];
}

export const runStatus = (api: Client, runId: string, statuses: string[], timeoutMs?: number) =>
  eventually(
    async () => {
      const run = await api.get<RunBody>(`/v1/runs/${runId}`);
      return statuses.includes(run.body.status) ? run.body : undefined;
    },
    `run ${runId} to be ${statuses.join(' or ')}`,
    timeoutMs,
  );

/** A stack whose pipeline is ACTIVE, with the given stages created and ACTIVE. */
export async function stackWithStages(
  api: Client,
  stages: {
    name: string;
    requireApproval?: boolean;
    approval?: Record<string, unknown> | null;
    deployWindows?: unknown[];
  }[],
  notifications: Record<string, unknown> = {
    emails: ['lead@example.com'],
    slackWebhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX',
  },
) {
  const created = await api.post<{ stackId: string; webhookSecret: string; webhookUrl: string }>(
    '/v1/stacks',
    {
      name: `shop-${randomUUID().slice(0, 8)}`,
      repository: 'acme/shop',
      branch: 'main',
      region: 'us-east-1',
      notifications,
    },
  );
  if (created.status !== 201) throw new Error(`stack not created: ${JSON.stringify(created.body)}`);
  const { stackId } = created.body;
  await eventually(async () => {
    const stack = await api.get<{ pipeline: { status: string } }>(`/v1/stacks/${stackId}`);
    if (stack.body.pipeline.status === 'FAILED')
      throw new Error(`pipeline failed: ${JSON.stringify(stack.body)}`);
    return stack.body.pipeline.status === 'ACTIVE' ? true : undefined;
  }, 'the pipeline');
  for (const stage of stages) {
    const op = await api.post<{ operation: { operationId: string } }>(`/v1/stacks/${stackId}/stages`, stage);
    const done = await api.operationEnd(op.body.operation.operationId);
    if (done.status !== 'SUCCEEDED') throw new Error(`stage ${stage.name}: ${JSON.stringify(done)}`);
  }
  return created.body;
}

/**
 * An embedded runtime as the pipeline tests use it (fast stacks and builds, hour-long approvals),
 * tenant acme's client, and every platform event as it comes.
 */
export async function pipelineRuntime(): Promise<{ runtime: Runtime; api: Client; events: BusEvent[] }> {
  const runtime = await startRuntime({
    port: 0,
    stackDelayMs: 10,
    buildDelayMs: 30,
    approvalTimeoutSeconds: 3600,
  });
  const events: BusEvent[] = [];
  runtime.bus.subscribe((e) => {
    if (e.source === 'tinystacks') events.push(e);
  });
  return { runtime, api: client(runtime.url, runtime.tokenFor('acme')), events };
}
