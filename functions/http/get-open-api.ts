import { openApiRoute } from '../../src/api/openapi';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(openApiRoute, {});
