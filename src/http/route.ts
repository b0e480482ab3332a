import type * as z from 'zod/mini';
import type { Permission } from '../deploy/permissions';
import type { HttpUnit } from '../deploy/units';
import type { Caller } from '../domain/caller';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface HttpResult {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ParsedRequest<P, Q, B> {
  caller: Caller;
  params: P;
  query: Q;
  body: B;
  headers: Record<string, string | undefined>;
  rawBody: string;
}

type Schema = z.ZodMiniType;
type Out<S> = S extends Schema ? z.infer<S> : undefined;

export interface ResponseSpec {
  description: string;
  schema?: Schema;
}

export interface Route<
  Deps = unknown,
  PS = Schema | undefined,
  QS = Schema | undefined,
  BS = Schema | undefined,
  U extends HttpUnit = HttpUnit,
> {
  /** The deployment unit (function) that serves the route (src/deploy/units.ts). */
  unit: U;
  /** What the route's code may do on AWS (src/deploy/permissions.ts): its unit's role allows exactly these. */
  permissions: Permission[];
  method: Method;
  /** API Gateway style: /v1/stacks/{stackId} */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** 'jwt': the API Gateway JWT authorizer (or the embedded runtime's) has vouched for the caller. */
  auth: 'jwt' | 'none';
  params?: PS;
  query?: QS;
  body?: BS;
  /** Accepts an Idempotency-Key header with Stripe's semantics. */
  idempotent?: boolean;
  /**
   * The route reads the raw body itself (signed webhooks, HTML forms): no JSON parsing and no body
   * validation before `handle`, which gets `rawBody`; `body`, if given, only documents it.
   */
  raw?: { maxBytes: number };
  /** Top-level response fields shown once: an Idempotency-Key replay answers them as null. */
  shownOnce?: string[];
  responses: Record<number, ResponseSpec>;
  handle(req: ParsedRequest<Out<PS>, Out<QS>, Out<BS>>, deps: Deps): Promise<HttpResult>;
}

/**
 * Identity function that lets TypeScript infer the route's request types from its schemas. Marked
 * free of side effects so that a unit's bundle drops the routes of a module it does not serve.
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineRoute<
  Deps,
  PS extends Schema | undefined = undefined,
  QS extends Schema | undefined = undefined,
  BS extends Schema | undefined = undefined,
  U extends HttpUnit = HttpUnit,
>(route: Route<Deps, PS, QS, BS, U>): Route<Deps, PS, QS, BS, U> {
  return route;
}

export type AnyRoute = Route<never, Schema | undefined, Schema | undefined, Schema | undefined>;

/** A route's deps; a route that takes none (health) adds nothing. */
type DepsOf<R> = R extends { handle(req: never, deps: infer D): unknown }
  ? unknown extends D
    ? Record<never, never>
    : D
  : never;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** What a list of routes needs, together: a unit's entry point (functions/) gives exactly this. */
export type RoutesDeps<R extends readonly unknown[]> = Intersection<DepsOf<R[number]>>;

/** `GET /v1/stacks/{stackId}`: API Gateway's routeKey, by which a unit finds the route it was called for. */
export const routeKeyOf = (route: Pick<AnyRoute, 'method' | 'path'>) => `${route.method} ${route.path}`;
