import { createStackRoute } from '../../src/api/stacks';
import { accounts } from '../../src/cloud/aws/accounts';
import { idempotency, store } from '../../src/cloud/aws/dynamodb';
import { apiSettings } from '../../src/cloud/aws/settings';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(createStackRoute, { store, idempotency, accounts, settings: apiSettings });
