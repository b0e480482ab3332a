import { stageLogsRoute } from '../../src/api/stages';
import { store } from '../../src/cloud/aws/dynamodb';
import { logs } from '../../src/cloud/aws/logs';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(stageLogsRoute, { store, logs });
