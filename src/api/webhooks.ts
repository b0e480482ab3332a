import * as z from 'zod/mini';
import type { ApiDeps } from '../app/deps';
import { receiveSlackInteraction, type SlackInteractionDeps } from '../app/approvals';
import { receiveGitHubDelivery, type GitHubDeliveryOutcome } from '../app/pipelines';
import { defineRoute, type HttpResult } from '../http/route';
import { responses, stackParams } from './common';

/**
 * A push payload is a few KB: the ref, the head commit, and each pushed commit with its file
 * lists. 1 MB holds pushes of hundreds of commits; GitHub's own cap is 25 MB (up to 2,048 commits
 * and 5,000 paths per list) and API Gateway's 10 MB. A body over 1 MB is not read, signed or not
 * (413), so no one can make the function hold more; such a push starts no run, and a run of the
 * branch's head can be started by hand (POST /v1/stacks/{stackId}/runs).
 */
export const GITHUB_MAX_BYTES = 1024 * 1024;

/** GitHub's answer: 200 for what needed nothing (a ping, a redelivery), 202 for what was recorded. */
function githubAnswer(outcome: GitHubDeliveryOutcome): HttpResult {
  switch (outcome.kind) {
    case 'ping':
      return { statusCode: 200, body: { message: 'pong', stackId: outcome.stackId } };
    case 'duplicate': {
      const { deliveryId, runId } = outcome;
      return { statusCode: 200, body: { duplicate: true, deliveryId, ...(runId ? { runId } : {}) } };
    }
    case 'ignored':
      return {
        statusCode: 202,
        body: { ignored: true, reason: outcome.reason, deliveryId: outcome.deliveryId },
      };
    case 'run':
      return { statusCode: 202, body: { runId: outcome.runId, deliveryId: outcome.deliveryId } };
  }
}

export const githubWebhookRoute = defineRoute({
  method: 'POST',
  path: '/v1/webhooks/github',
  operationId: 'receiveGithubWebhook',
  summary:
    'GitHub push webhook of a stack (the URL and secret given when the stack was created; content type application/json). Signed with X-Hub-Signature-256; no bearer token',
  tag: 'Webhooks',
  auth: 'none',
  unit: 'githubWebhook',
  permissions: ['table:read', 'table:put', 'table:update', 'workflows:start', 'platformSecrets:read'],
  raw: { maxBytes: GITHUB_MAX_BYTES },
  query: z.strictObject({ stack: stackParams.shape.stackId }),
  responses: responses(
    {
      200: { description: 'ping answered, or a delivery already processed', schema: z.object({}) },
      202: {
        description:
          'a run was started ({runId}), or the delivery was recorded as ignored ({ignored, reason})',
        schema: z.object({}),
      },
      401: { description: 'missing or wrong signature: nothing was recorded', schema: z.object({}) },
    },
    [400, 404],
  ),
  async handle(
    req,
    deps: Pick<ApiDeps, 'store' | 'pipelines' | 'workflows' | 'platformSecrets' | 'pipelineSettings'>,
  ) {
    const outcome = await receiveGitHubDelivery(deps, {
      stackId: req.query.stack,
      headers: req.headers,
      rawBody: req.rawBody,
    });
    return githubAnswer(outcome);
  },
});

export const slackInteractionsRoute = defineRoute({
  method: 'POST',
  path: '/v1/integrations/slack/interactions',
  operationId: 'receiveSlackInteraction',
  summary:
    'Slack’s interactivity request URL: the Approve / Reject buttons of approval messages. Signed by Slack (v0); no bearer token',
  tag: 'Webhooks',
  auth: 'none',
  unit: 'approvals',
  permissions: ['table:read', 'table:update', 'workflows:resume', 'platformSecrets:read', 'events:publish'],
  raw: { maxBytes: 64 * 1024 },
  responses: responses(
    {
      200: { description: 'handled; the message is updated with the decision', schema: z.object({}) },
      401: { description: 'wrong signature, or older than 5 minutes', schema: z.object({}) },
    },
    [400],
  ),
  async handle(req, deps: SlackInteractionDeps) {
    await receiveSlackInteraction(deps, req.headers, req.rawBody);
    return { statusCode: 200, body: {} };
  },
});
