import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { githubWebhookRoute } from '../../../src/api/webhooks';
import type { GitHubDelivery, PipelineDeps } from '../../../src/app/pipelines';
import { SecretCache } from '../../../src/cloud/secret-cache';
import type { WorkflowPort } from '../../../src/cloud/ports';
import { DomainError } from '../../../src/domain/errors';
import { signGitHubPayload } from '../../../src/domain/github';
import { webhookSecretNameOf } from '../../../src/domain/pipeline';
import { startDynamo, type LocalDynamo } from '../../../src/local/dynamo';
import { LocalPlatformSecrets } from '../../../src/local/platform-secrets';
import { PipelineStore } from '../../../src/store/pipelines';
import { Store } from '../../../src/store/store';
import { aStack, newTenantId, TABLE_NAME } from '../../support/fixtures';
import { pushPayload } from '../../support/pipeline';

/** The route's answer to a delivery: what the receiver recorded, as the API maps it. */
const receiveGitHubDelivery = (deps: PipelineDeps, delivery: GitHubDelivery) =>
  githubWebhookRoute.handle(
    {
      caller: { tenantId: '', userId: '' },
      params: undefined,
      query: { stack: delivery.stackId },
      body: undefined,
      headers: delivery.headers,
      rawBody: delivery.rawBody,
    },
    deps,
  );

let dynamo: LocalDynamo;
let deps: PipelineDeps;
const started: { workflow: string; name: string }[] = [];

const workflows: WorkflowPort = {
  async start(workflow, executionName) {
    // A real start takes a moment: concurrent copies overlap as they would on Lambda.
    await new Promise((r) => setTimeout(r, 5));
    started.push({ workflow, name: executionName });
    return {
      executionArn: `arn:aws:states:us-east-1:111122223333:execution:${workflow}:${executionName}`,
      alreadyStarted: false,
    };
  },
  sendTaskSuccess: async () => 'delivered',
  sendTaskFailure: async () => 'delivered',
};

beforeAll(async () => {
  dynamo = await startDynamo(TABLE_NAME);
  const secrets = new LocalPlatformSecrets(undefined);
  deps = {
    store: new Store(dynamo.documentClient, TABLE_NAME),
    pipelines: new PipelineStore(dynamo.documentClient, TABLE_NAME),
    workflows,
    platformSecrets: new SecretCache(secrets),
    pipelineSettings: {
      publicApiUrl: 'https://api.example.com',
      secretPrefix: 'tinystacks/test',
      linkKeySecretName: 'tinystacks/test/approval-link-key',
      slackSecretName: 'tinystacks/test/slack',
      approvalTimeoutSeconds: 3600,
    },
  };
});
afterAll(async () => {
  await dynamo.close();
});
beforeEach(() => {
  started.length = 0;
});

async function aStackWithSecret() {
  const tenantId = newTenantId();
  const stack = aStack({ tenantId });
  await deps.store.putStack(stack);
  const secret = randomUUID();
  await deps.platformSecrets.secrets.create(
    webhookSecretNameOf('tinystacks/test', stack.stackId),
    JSON.stringify({ tenantId, secret }),
  );
  return { stack, secret };
}

function signed(stackId: string, secret: string, payload: unknown, headers: Record<string, string> = {}) {
  const rawBody = JSON.stringify(payload);
  return {
    stackId,
    rawBody,
    headers: {
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': signGitHubPayload(secret, rawBody),
      ...headers,
    },
  };
}

/** Everything recorded in the tenant's partition: deliveries and runs. */
async function recorded(tenantId: string) {
  const out = await dynamo.documentClient.send(
    new QueryCommand({
      TableName: TABLE_NAME,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `T#${tenantId}` },
    }),
  );
  return (out.Items ?? []).map((item) => String(item.sk).split('#')[0]).filter((kind) => kind !== 'STACK');
}

const statusOf = (promise: Promise<unknown>) =>
  promise.then(
    (result) => (result as { statusCode: number }).statusCode,
    (error: unknown) => (error instanceof DomainError ? error.status : 500),
  );

describe('POST /v1/webhooks/github', () => {
  test('a signed push to the stack’s branch records one run and starts its workflow', async () => {
    // Prepare
    const { stack, secret } = await aStackWithSecret();

    // Act
    const result = await receiveGitHubDelivery(
      deps,
      signed(stack.stackId, secret, pushPayload({ sha: 'b'.repeat(40) })),
    );

    // Assess
    expect(result.statusCode).toBe(202);
    const runId = (result.body as { runId: string }).runId;
    const run = await deps.pipelines.getRun(stack.tenantId, runId);
    expect(run).toMatchObject({
      status: 'QUEUED',
      trigger: 'push',
      requestedBy: 'octocat',
      commit: { sha: 'b'.repeat(40), message: 'Fix the checkout button', author: 'octocat' },
    });
    expect(started).toEqual([{ workflow: 'pipelineRun', name: runId }]);
  });

  test('50 concurrent copies of one delivery: one run, one workflow start', async () => {
    // Prepare
    const { stack, secret } = await aStackWithSecret();
    const delivery = signed(stack.stackId, secret, pushPayload());

    // Act
    const results = await Promise.all(
      Array.from({ length: 50 }, () => receiveGitHubDelivery(deps, delivery)),
    );

    // Assess
    expect(results.filter((r) => r.statusCode === 202)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(49);
    expect(started).toHaveLength(1);
    const runs = await deps.pipelines.listRuns(stack.tenantId, stack.stackId, {});
    expect(runs.items).toHaveLength(1);
    // A redelivery days later (same X-GitHub-Delivery) names the run it already made.
    const again = await receiveGitHubDelivery(deps, delivery);
    expect(again).toEqual({
      statusCode: 200,
      body: {
        duplicate: true,
        deliveryId: delivery.headers['x-github-delivery'],
        runId: runs.items[0]!.runId,
      },
    });
  });

  test.each([
    [
      'a wrong signature',
      (d: ReturnType<typeof signed>) => ({
        ...d,
        headers: { ...d.headers, 'x-hub-signature-256': signGitHubPayload('wrong', d.rawBody) },
      }),
    ],
    [
      'no signature',
      (d: ReturnType<typeof signed>) => ({
        ...d,
        headers: { ...d.headers, 'x-hub-signature-256': undefined },
      }),
    ],
    [
      'a body changed after signing',
      (d: ReturnType<typeof signed>) => ({ ...d, rawBody: d.rawBody.replace('main', 'mainx') }),
    ],
    [
      'another stack’s URL',
      (d: ReturnType<typeof signed>) => ({ ...d, stackId: 'stk_01jn8jc080jdpw4jc4hepvfnvh' }),
    ],
  ])('%s → 401, and nothing is recorded', async (_, tamper) => {
    // Prepare
    const { stack, secret } = await aStackWithSecret();

    // Act
    const status = await statusOf(
      receiveGitHubDelivery(deps, tamper(signed(stack.stackId, secret, pushPayload()))),
    );

    // Assess
    expect(status).toBe(401);
    expect(await recorded(stack.tenantId)).toEqual([]);
    expect(started).toEqual([]);
  });

  test.each([
    [
      'a push to another branch',
      pushPayload({ branch: 'feature/x' }),
      'push',
      /branch feature\/x is not the stack's branch main/,
    ],
    ['a tag push', pushPayload({ ref: 'refs/tags/v2' }), 'push', /tag push v2/],
    ['a branch deletion', { ...pushPayload(), deleted: true, after: '0'.repeat(40) }, 'push', /was deleted/],
    ['another event', { action: 'opened' }, 'pull_request', /event pull_request is not handled/],
  ])('%s → 202 ignored, recorded as such, no run', async (_, payload, event, reason) => {
    // Prepare
    const { stack, secret } = await aStackWithSecret();
    const delivery = signed(stack.stackId, secret, payload, { 'x-github-event': event });

    // Act
    const result = await receiveGitHubDelivery(deps, delivery);

    // Assess
    expect(result.statusCode).toBe(202);
    expect((result.body as { reason: string }).reason).toMatch(reason);
    expect(await recorded(stack.tenantId)).toEqual(['DELIVERY']);
    const record = await deps.pipelines.getDelivery(
      stack.tenantId,
      stack.stackId,
      delivery.headers['x-github-delivery'],
    );
    expect(record).toMatchObject({ state: 'IGNORED', reason: expect.stringMatching(reason) });
    expect(started).toEqual([]);
  });

  test.each([
    ['null', 'body', null, 'push'],
    ['ref as a list', 'ref', { ...pushPayload(), ref: ['refs/heads/main'] }, 'push'],
    [
      'head_commit.message as an object',
      'head_commit.message',
      { ...pushPayload(), head_commit: { id: 'a'.repeat(40), message: { text: 'hi' } } },
      'push',
    ],
    ['a list for another event', 'body', ['opened'], 'pull_request'],
  ])(
    'a signed payload of the wrong shape (%s) → 400 naming %s, nothing recorded, and a redelivery is handled',
    async (_, field, payload, event) => {
      // Prepare
      const { stack, secret } = await aStackWithSecret();
      const bad = signed(stack.stackId, secret, payload, { 'x-github-event': event });

      // Act
      const refused = await receiveGitHubDelivery(deps, bad).catch((error: unknown) => error);
      const recordedAfterRefusal = await recorded(stack.tenantId);
      const redelivered = await receiveGitHubDelivery(
        deps,
        signed(stack.stackId, secret, pushPayload(), {
          'x-github-delivery': bad.headers['x-github-delivery'],
        }),
      );

      // Assess
      expect(refused).toBeInstanceOf(DomainError);
      expect(refused).toMatchObject({ status: 400, details: { field } });
      expect(recordedAfterRefusal).toEqual([]);
      expect(redelivered.statusCode).toBe(202);
      expect((redelivered.body as { runId?: string }).runId).toEqual(expect.any(String));
    },
  );

  test('a delivery that fails before its run starts gives its claim back: the redelivery starts the run', async () => {
    // Prepare: the first start fails (a throttled StartExecution, say).
    const { stack, secret } = await aStackWithSecret();
    const delivery = signed(stack.stackId, secret, pushPayload());
    const start = deps.workflows.start;
    let failures = 1;
    deps.workflows = {
      ...workflows,
      start: async (...args) => {
        if (failures-- > 0) throw new Error('ThrottlingException');
        return start(...args);
      },
    };

    // Act
    const first = await statusOf(receiveGitHubDelivery(deps, delivery));
    const redelivery = await receiveGitHubDelivery(deps, delivery);
    deps.workflows = workflows;

    // Assess
    expect(first).toBe(500);
    expect(redelivery.statusCode).toBe(202);
    expect(started).toEqual([
      { workflow: 'pipelineRun', name: (redelivery.body as { runId: string }).runId },
    ]);
  });

  test('ping → 200, nothing recorded', async () => {
    // Prepare
    const { stack, secret } = await aStackWithSecret();

    // Act
    const result = await receiveGitHubDelivery(
      deps,
      signed(stack.stackId, secret, { zen: 'Keep it simple.' }, { 'x-github-event': 'ping' }),
    );

    // Assess
    expect(result).toEqual({ statusCode: 200, body: { message: 'pong', stackId: stack.stackId } });
    expect(await recorded(stack.tenantId)).toEqual([]);
  });

  test('a delivery remembered past its 8 days counts as new (expiry checked in code, TTL deletes lazily)', async () => {
    // Prepare
    const { stack } = await aStackWithSecret();
    const deliveryId = randomUUID();
    const nineDaysAgo = Date.now() - 9 * 24 * 3600 * 1000;
    await deps.pipelines.claimDelivery(stack.tenantId, stack.stackId, deliveryId, 'run_old', nineDaysAgo);

    // Act
    const claim = await deps.pipelines.claimDelivery(stack.tenantId, stack.stackId, deliveryId, 'run_new');
    const copy = await deps.pipelines.claimDelivery(stack.tenantId, stack.stackId, deliveryId, 'run_other');

    // Assess
    expect(claim).toMatchObject({ kind: 'new', runId: 'run_new' });
    expect(copy.kind).toBe('duplicate');
  });
});
