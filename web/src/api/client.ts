import createClient, { type Middleware } from 'openapi-fetch';
import { ApiError, toApiError } from '../lib/errors';
import type { paths } from './generated/schema';

export type ApiClient = ReturnType<typeof createClient<paths>>;

/**
 * The typed client of the public REST API (openapi-fetch over the generated `paths`): every call
 * carries the session's bearer token; nothing else about the API is written by hand.
 */
export function createApiClient(baseUrl: string, token: () => Promise<string | undefined>): ApiClient {
  const client = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    async onRequest({ request }) {
      const value = await token();
      if (value) request.headers.set('Authorization', `Bearer ${value}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

/** An openapi-fetch result as its data, or an ApiError carrying the API's message and field. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(response.status, error);
  return data as T;
}

export { ApiError };
