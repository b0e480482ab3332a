import { listRunsRoute } from '../../src/api/runs';
import { pipelineStore, store } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(listRunsRoute, { store, pipelines: pipelineStore });
