import { getDatabaseSecretRoute } from '../../src/api/databases';
import { databases, store } from '../../src/cloud/aws/dynamodb';
import { bus } from '../../src/cloud/aws/events';
import { secrets } from '../../src/cloud/aws/secrets';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(getDatabaseSecretRoute, { store, databases, secrets, bus });
