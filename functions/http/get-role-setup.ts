import { roleSetupRoute } from '../../src/api/meta';
import { store } from '../../src/cloud/aws/dynamodb';
import { apiSettings } from '../../src/cloud/aws/settings';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(roleSetupRoute, { store, settings: apiSettings });
