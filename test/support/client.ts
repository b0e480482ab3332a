/** A small HTTP client for the integration and end-to-end tests. */
export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export function client(baseUrl: string, token?: string) {
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  };
  return {
    get: <T = Record<string, unknown>>(path: string) => call<T>('GET', path),
    post: <T = Record<string, unknown>>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>('POST', path, body ?? {}, headers),
    patch: <T = Record<string, unknown>>(path: string, body: unknown, headers?: Record<string, string>) =>
      call<T>('PATCH', path, body, headers),
    delete: <T = Record<string, unknown>>(path: string, headers?: Record<string, string>) =>
      call<T>('DELETE', path, undefined, headers),
    /** Polls an operation until it ends; bounded so a stuck workflow fails the test instead of hanging it. */
    async operationEnd(operationId: string, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const reply = await call('GET', `/v1/operations/${operationId}`);
        if (reply.body.status === 'SUCCEEDED' || reply.body.status === 'FAILED') return reply.body;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`operation ${operationId} did not end within ${timeoutMs} ms`);
    },
  };
}

export type Client = ReturnType<typeof client>;

let stacksMade = 0;

/** A stack's body, with a name of its own each time: names are unique per tenant (409 otherwise). */
export const newStack = (name = `shop-${++stacksMade}`) => ({
  name,
  repository: 'acme/shop',
  branch: 'main',
  region: 'us-east-1',
});
