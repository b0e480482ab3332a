/**
 * Configuration comes from the function's environment and is read when a module loads, so a
 * misconfigured deployment fails on its first invocation with the variable's name, not later with
 * an `undefined` deep inside an AWS call.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`Missing environment variable ${name}`);
  return value;
}

export function optionalEnv(name: string): string | undefined;
export function optionalEnv(name: string, fallback: string): string;
export function optionalEnv(name: string, fallback?: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}
