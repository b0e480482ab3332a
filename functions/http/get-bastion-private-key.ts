import { getBastionPrivateKeyRoute } from '../../src/api/bastions';
import { databases, store } from '../../src/cloud/aws/dynamodb';
import { bus } from '../../src/cloud/aws/events';
import { keys } from '../../src/cloud/aws/keys';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(getBastionPrivateKeyRoute, { store, databases, keys, bus });
