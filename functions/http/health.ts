import { healthRoute } from '../../src/api/meta';
import { httpHandler } from '../../src/http/handler';

export const handler = httpHandler(healthRoute, {});
