import { stageStackEventsRoute } from '../../src/api/stages';
import { store } from '../../src/cloud/aws/dynamodb';
import { stacks } from '../../src/cloud/aws/stacks';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(stageStackEventsRoute, { store, stacks });
