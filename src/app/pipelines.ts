import { randomBytes } from 'node:crypto';
import type { WorkflowPort } from '../cloud/ports';
import type { SecretCache } from '../cloud/secret-cache';
import type { PipelineSettings } from '../cloud/settings';
import { DomainError } from '../domain/errors';
import { classifyPush, verifyGitHubSignature, type PushPayload } from '../domain/github';
import { otherPayload, pushPayload } from '../domain/input/github';
import { newId } from '../domain/ids';
import {
  pipelineCfnStackNameOf,
  pipelineNameOf,
  webhookSecretNameOf,
  type Commit,
  type Run,
  type RunPush,
  type StackPipeline,
  type WebhookSecret,
} from '../domain/pipeline';
import type { Stack } from '../domain/stack';
import type { RunAuthor } from '../domain/approval-policy';
import type { PipelineWorkflowInput, RunWorkflowInput } from '../domain/workflow-input';
import { parsePart } from '../domain/input/parse';
import { errorFields, log } from '../log';
import type { PipelineStore } from '../store/pipelines';
import type { Store } from '../store/store';

export interface PipelineDeps {
  store: Store;
  pipelines: PipelineStore;
  workflows: WorkflowPort;
  platformSecrets: SecretCache;
  pipelineSettings: PipelineSettings;
}

export const webhookUrlOf = (settings: PipelineSettings, stackId: string) =>
  `${settings.publicApiUrl}/v1/webhooks/github?stack=${stackId}`;

export function newPipeline(stackId: string): StackPipeline {
  return {
    status: 'CREATING',
    pipelineName: pipelineNameOf(stackId),
    cfnStackName: pipelineCfnStackNameOf(stackId),
  };
}

/**
 * A new stack's webhook secret (kept in the secret store with its owner, returned once) and build
 * pipeline (a CloudFormation stack in the customer's account, built by the create-pipeline
 * workflow). If either cannot be set up, the stack says so in `pipeline.error`.
 */
export async function setUpPipeline(
  deps: Pick<PipelineDeps, 'pipelines' | 'workflows' | 'platformSecrets' | 'pipelineSettings'>,
  stack: Stack,
  slackWebhookUrl: string | undefined,
): Promise<{ webhookSecret: string }> {
  const webhookSecret = randomBytes(32).toString('hex');
  const value: WebhookSecret = {
    tenantId: stack.tenantId,
    secret: webhookSecret,
    ...(slackWebhookUrl ? { slackWebhookUrl } : {}),
  };
  const input: PipelineWorkflowInput = {
    tenantId: stack.tenantId,
    stackId: stack.stackId,
    operationId: stack.stackId,
    cfnStackName: pipelineCfnStackNameOf(stack.stackId),
    action: 'CREATE',
    target: { roleArn: stack.roleArn, region: stack.region },
  };
  try {
    await deps.platformSecrets.secrets.create(
      webhookSecretNameOf(deps.pipelineSettings.secretPrefix, stack.stackId),
      JSON.stringify(value),
    );
    await deps.workflows.start('createPipeline', stack.stackId, input);
  } catch (error) {
    log.error('pipeline could not be set up', { stackId: stack.stackId, ...errorFields(error) });
    await deps.pipelines.setStackPipeline(stack.tenantId, stack.stackId, {
      ...newPipeline(stack.stackId),
      status: 'FAILED',
      error: 'the pipeline could not be set up',
    });
  }
  return { webhookSecret };
}

/** Deleting a stack removes its webhook secret; its pipeline stack is deleted by the caller. */
export async function forgetWebhookSecret(
  deps: Pick<PipelineDeps, 'platformSecrets' | 'pipelineSettings'>,
  stackId: string,
) {
  const name = webhookSecretNameOf(deps.pipelineSettings.secretPrefix, stackId);
  await deps.platformSecrets.secrets.delete(name);
  deps.platformSecrets.forget(name);
}

/** Records a run and starts its workflow, named after the run so a retried start is a no-op. */
export async function startRun(
  deps: Pick<PipelineDeps, 'pipelines' | 'workflows' | 'pipelineSettings'>,
  stack: Stack,
  run: Run,
): Promise<Run> {
  await deps.pipelines.putRun(run);
  const input: RunWorkflowInput = {
    tenantId: run.tenantId,
    stackId: run.stackId,
    runId: run.runId,
    pipelineName: pipelineNameOf(stack.stackId),
    target: { roleArn: stack.roleArn, region: stack.region },
    approvalTimeoutSeconds: deps.pipelineSettings.approvalTimeoutSeconds,
  };
  try {
    await deps.workflows.start('pipelineRun', run.runId, input);
  } catch (error) {
    log.error('run could not start', { runId: run.runId, ...errorFields(error) });
    await deps.pipelines.endRun(run.tenantId, run.runId, 'FAILED', { error: 'the run could not be started' });
    throw error;
  }
  return run;
}

export function newRun(
  stack: Stack,
  fields: {
    runId?: string;
    trigger: Run['trigger'];
    commit: Commit;
    requestedBy: string;
    author: RunAuthor;
    deliveryId?: string;
    push?: RunPush;
  },
): Run {
  const now = new Date().toISOString();
  return {
    tenantId: stack.tenantId,
    runId: fields.runId ?? newId('run'),
    stackId: stack.stackId,
    trigger: fields.trigger,
    branch: stack.branch,
    commit: fields.commit,
    status: 'QUEUED',
    requestedBy: fields.requestedBy,
    author: fields.author,
    ...(fields.deliveryId ? { deliveryId: fields.deliveryId } : {}),
    ...(fields.push ? { push: fields.push } : {}),
    stageOrder: [],
    stages: {},
    createdAt: now,
    updatedAt: now,
  };
}

const unauthorized = () =>
  new DomainError(
    401,
    'Unauthorized',
    'the X-Hub-Signature-256 signature does not match this stack’s webhook secret',
  );

/** What became of a GitHub delivery; the route answers it (src/api/webhooks.ts). */
export type GitHubDeliveryOutcome =
  | { kind: 'ping'; stackId: string }
  | { kind: 'duplicate'; deliveryId: string; runId?: string }
  | { kind: 'ignored'; deliveryId: string; reason: string }
  | { kind: 'run'; deliveryId: string; runId: string };

export interface GitHubDelivery {
  stackId: string;
  headers: Record<string, string | undefined>;
  rawBody: string;
}

/** A signed payload that does not parse, or has another shape: a 400 naming the field, nothing recorded. */
function parsePayload(event: string, rawBody: string): PushPayload | undefined {
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch {
    throw new DomainError(
      400,
      'ValidationError',
      'the payload must be JSON (content type application/json)',
      {
        field: 'body',
      },
    );
  }
  if (event === 'push') return parsePart(pushPayload, payload, 'body');
  parsePart(otherPayload, payload, 'body');
  return undefined;
}

/**
 * POST /v1/webhooks/github?stack=<stackId>. The signature is checked before anything else: an
 * unknown stack and a wrong signature get the same 401, and nothing is recorded. Then the payload
 * is checked against its schema (a 400 naming the field, still nothing recorded), the delivery is
 * claimed once (GitHub redelivers with the same X-GitHub-Delivery), classified, and either
 * recorded as ignored or recorded as a run whose workflow is started: the answer comes within
 * GitHub's 10 seconds because the build and the deploys happen in the workflow. A delivery that
 * fails before its run has started gives its claim back, so GitHub's redelivery is handled, not
 * answered "duplicate".
 */
export async function receiveGitHubDelivery(
  deps: PipelineDeps,
  delivery: GitHubDelivery,
): Promise<GitHubDeliveryOutcome> {
  const stored = await deps.platformSecrets.get(
    webhookSecretNameOf(deps.pipelineSettings.secretPrefix, delivery.stackId),
  );
  const secret = stored ? (JSON.parse(stored) as WebhookSecret) : undefined;
  if (
    !secret ||
    !verifyGitHubSignature(secret.secret, delivery.rawBody, delivery.headers['x-hub-signature-256'])
  )
    throw unauthorized();

  const event = delivery.headers['x-github-event'] ?? '';
  const deliveryId = delivery.headers['x-github-delivery'] ?? '';
  if (event === 'ping') return { kind: 'ping', stackId: delivery.stackId };
  if (!/^[A-Za-z0-9-]{1,64}$/.test(deliveryId))
    throw new DomainError(400, 'ValidationError', 'X-GitHub-Delivery is required', {
      field: 'X-GitHub-Delivery',
    });
  const payload = parsePayload(event, delivery.rawBody);
  const stack = await deps.store.getStack(secret.tenantId, delivery.stackId);
  if (!stack) throw new DomainError(404, 'NotFound', `stack ${delivery.stackId} not found`);

  const claim = await deps.pipelines.claimDelivery(stack.tenantId, stack.stackId, deliveryId, newId('run'));
  if (claim.kind === 'duplicate')
    return { kind: 'duplicate', deliveryId, ...(claim.runId ? { runId: claim.runId } : {}) };
  let started = false;
  try {
    const decision =
      stack.status === 'DELETING' || stack.status === 'DELETE_FAILED'
        ? ({ kind: 'ignored', reason: 'the stack is being deleted' } as const)
        : payload
          ? classifyPush(payload, stack)
          : ({ kind: 'ignored', reason: `event ${event || '(none)'} is not handled` } as const);
    if (decision.kind === 'ignored') {
      await deps.pipelines.finishDelivery(
        stack.tenantId,
        stack.stackId,
        deliveryId,
        'IGNORED',
        decision.reason,
      );
      log.info('github delivery ignored', { stackId: stack.stackId, deliveryId, reason: decision.reason });
      return { kind: 'ignored', deliveryId, reason: decision.reason };
    }
    const run = newRun(stack, {
      runId: claim.runId,
      trigger: 'push',
      commit: decision.commit,
      requestedBy: decision.pusher,
      author: decision.author,
      deliveryId,
      push: decision.push,
    });
    await startRun(deps, stack, run);
    started = true;
    await deps.pipelines.finishDelivery(stack.tenantId, stack.stackId, deliveryId, 'RUN');
    return { kind: 'run', deliveryId, runId: run.runId };
  } catch (error) {
    // Once the run's workflow has started, the claim (with its run id) stays: a redelivery after
    // the lease finishes that run rather than starting a second one.
    if (!started) {
      await deps.pipelines
        .releaseDelivery(stack.tenantId, stack.stackId, deliveryId, claim)
        .catch((releaseError: unknown) =>
          log.error('github delivery claim not released', { deliveryId, ...errorFields(releaseError) }),
        );
    }
    throw error;
  }
}
