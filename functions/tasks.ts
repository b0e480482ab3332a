import { approvalStore, databases, pipelineStore, store, waits } from '../src/cloud/aws/dynamodb';
import { lazy } from '../src/cloud/aws/lazy';
import { pipelineSettings } from '../src/cloud/aws/pipeline-settings';
import { workflows } from '../src/cloud/aws/workflows';
import { SecretCache } from '../src/cloud/secret-cache';
import { taskUnit } from '../src/tasks/unit';

/** The workflow tasks that touch only the platform's table and workflows (and delete a deleted stack's webhook secret). */
export const handler = taskUnit('tasks', {
  store,
  databases,
  waits,
  workflows,
  pipelines: pipelineStore,
  approvals: approvalStore,
  // Secrets Manager only for RemoveStack (a stack's deletion): loaded when first used.
  platformSecrets: new SecretCache(
    lazy(() => import('../src/cloud/aws/platform-secrets').then((m) => m.platformSecrets)),
  ),
  pipelineSettings,
});
