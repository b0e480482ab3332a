import { listStagesRoute } from '../../src/api/stages';
import { store } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(listStagesRoute, { store });
