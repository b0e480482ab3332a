import { checkBuild } from '../../src/tasks/pipeline-steps';
import { store } from '../../src/cloud/aws/dynamodb';
import { pipelines as builds } from '../../src/cloud/aws/pipelines';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(checkBuild, { store, builds });
