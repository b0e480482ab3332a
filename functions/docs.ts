import { routes } from '../src/api/units/docs';
import { httpRouter } from '../src/http/handler';

/** No JWT: liveness and the OpenAPI document. */
export const handler = httpRouter(routes, {});
