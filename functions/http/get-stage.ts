import { getStageRoute } from '../../src/api/stages';
import { store } from '../../src/cloud/aws/dynamodb';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(getStageRoute, { store });
