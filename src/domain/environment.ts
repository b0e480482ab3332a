import { badRequest } from './errors';

/**
 * Names the platform injects into every container. A stage variable may not take one of them:
 * the platform's value would silently win or, worse, the user's would break database wiring.
 */
export const RESERVED_PREFIXES = ['PG_', 'MYSQL_', 'REDIS_', 'TINYSTACKS_', 'AWS_', 'ECS_'] as const;
export const RESERVED_NAMES = ['PORT'] as const;

/**
 * Input limits of a stage's variables, derived from what they must fit downstream (README,
 * "Limits and why"): ECS refuses a task definition over 64 KiB, and the variables are most of it.
 * The budget is counted as the task definition holds them, `[{"Name":…,"Value":…},…]` in JSON, so
 * escaping and multi-byte characters count as what they cost. The platform's own variables, the
 * databases', their secrets and the rest of the task definition stay under 8 KiB (a test renders
 * the largest stage and checks it), which leaves a quarter of the 64 KiB spare.
 */
export const MAX_VARIABLES = 100;
export const MAX_VALUE_LENGTH = 4096;
export const MAX_ENVIRONMENT_BYTES = 40 * 1024;
export const TASK_DEFINITION_MAX_BYTES = 64 * 1024;

/** The bytes the variables take in the task definition's container definition (JSON, UTF-8). */
export function environmentBytes(environment: Record<string, string>): number {
  const entries = Object.keys(environment).map((name) => ({ Name: name, Value: environment[name] }));
  return Buffer.byteLength(JSON.stringify(entries));
}

export function reservedReason(name: string): string | undefined {
  const upper = name.toUpperCase();
  const prefix = RESERVED_PREFIXES.find((p) => upper.startsWith(p));
  if (prefix) return `names starting with ${prefix} are set by the platform`;
  if ((RESERVED_NAMES as readonly string[]).includes(upper)) return `${name} is set by the platform`;
  return undefined;
}

export function assertUserEnvironment(environment: Record<string, string>, field = 'environment'): void {
  for (const name of Object.keys(environment)) {
    const reason = reservedReason(name);
    if (reason) throw badRequest(`${field}.${name}`, `${field}.${name} is reserved: ${reason}`);
  }
}

export interface PlatformContext {
  stackId: string;
  stageName: string;
  port: number;
  deploymentId: string;
  /** The databases' plain variables (PG_HOST, PG_PORT, PG_DATABASE, ...): databaseWiring().environment. */
  databases?: Record<string, string>;
}

/** Platform variables whose value is new on every deploy, by design: a deploy's changes leave them out. */
export const PER_DEPLOY_VARIABLES = ['TINYSTACKS_DEPLOYMENT_ID'] as const;

/** Variables the platform injects: its own, and each database's (src/domain/database.ts). */
export function platformEnvironment(ctx: PlatformContext): Record<string, string> {
  return {
    PORT: String(ctx.port),
    TINYSTACKS_STACK_ID: ctx.stackId,
    TINYSTACKS_STAGE: ctx.stageName,
    TINYSTACKS_DEPLOYMENT_ID: ctx.deploymentId,
    ...ctx.databases,
  };
}

/**
 * The names (never values) of everything the container receives: its variables and the ones ECS
 * fills from Secrets Manager (`*_CREDENTIALS_SECRET`). What GET .../stages/{stage} shows.
 */
export function serviceEnvironmentNames(
  environment: Record<string, string>,
  secrets: Record<string, string> = {},
): string[] {
  return [...new Set([...Object.keys(environment), ...Object.keys(secrets)])].sort();
}

/**
 * What the container receives. Precedence, lowest first: the image's Dockerfile ENV (ECS applies
 * task definition variables over it), the stage's variables, the platform's. User names never
 * collide with platform names (see assertUserEnvironment), so the order below only matters as a
 * second line of defence.
 */
export function serviceEnvironment(
  user: Record<string, string>,
  platform: Record<string, string>,
): Record<string, string> {
  // Null prototype and own-key lookups: a user's `constructor` or `toString` is a name like any other.
  const merged: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of [...Object.keys(user), ...Object.keys(platform)].sort()) {
    merged[name] = Object.hasOwn(platform, name) ? platform[name]! : user[name]!;
  }
  return merged;
}
