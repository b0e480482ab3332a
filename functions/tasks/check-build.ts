import { checkBuild } from '../../src/tasks/pipeline-steps';
import { pipelineStore, store } from '../../src/cloud/aws/dynamodb';
import { notifications } from '../../src/cloud/aws/notifications';
import { pipelineSettings, platformSecrets } from '../../src/cloud/aws/pipeline-settings';
import { pipelines as builds } from '../../src/cloud/aws/pipelines';
import { workflows } from '../../src/cloud/aws/workflows';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(checkBuild, {
  store,
  pipelines: pipelineStore,
  builds,
  workflows,
  notifications,
  platformSecrets,
  pipelineSettings,
});
