/**
 * A port whose adapter, and the AWS SDK client behind it, loads on the port's first call. A unit's
 * function serves several routes or tasks; those that do not use a client should not pay for
 * loading it at every cold start (bench: init time per function). The bundler keeps the adapter in
 * the same file but evaluates it only when imported. Every method of the port must be async; the
 * adapter's environment is then checked at its first call rather than at the function's start.
 */
export function lazy<T extends object>(load: () => Promise<T>): T {
  let loaded: Promise<T> | undefined;
  return new Proxy({} as T, {
    get:
      (_target, method) =>
      async (...args: unknown[]) => {
        const port = await (loaded ??= load());
        return (port[method as keyof T] as (...a: unknown[]) => unknown).apply(port, args);
      },
  });
}
