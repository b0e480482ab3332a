import { getRunRoute } from '../../src/api/runs';
import { pipelineStore } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(getRunRoute, { pipelines: pipelineStore });
