/** The input schemas (zod/mini): they validate, give the types, and feed the OpenAPI document. Apart from the domain's rules so that functions that validate no input bundle no zod. */
import * as z from 'zod/mini';
import { environmentBytes, MAX_ENVIRONMENT_BYTES, MAX_VALUE_LENGTH, MAX_VARIABLES } from '../environment';
import { isKnownRegion } from '../regions';

/** Shared field schemas. Each carries its own message so a 400 can say exactly what is wrong. */

/** A region the AWS SDK's partition data lists (src/domain/regions.ts): `us-east-9` is refused. */
export const awsRegion = z
  .string()
  .check(
    z.regex(/^[a-z]{2,4}(-[a-z]+)+-\d+$/, 'must be an AWS region such as us-east-1'),
    z.refine(isKnownRegion, 'must be an AWS region such as us-east-1: the AWS SDK lists no such region'),
  );

export const stageName = z
  .string()
  .check(
    z.regex(
      /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,19}$/,
      'must be 1-20 characters: lowercase letters, digits and single hyphens, starting with a letter',
    ),
  );

export const stackName = z
  .string()
  .check(
    z.regex(
      /^[a-zA-Z0-9](?:[a-zA-Z0-9 _.-]{0,62}[a-zA-Z0-9])?$/,
      'must be 1-64 characters: letters, digits, spaces, dots, underscores and hyphens',
    ),
  );

export const repository = z
  .string()
  .check(z.regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, 'must be a GitHub repository as owner/repo'));

export const branch = z
  .string()
  .check(
    z.regex(
      /^(?!\/|.*\/\/|.*\.\.|.*\/$|.*\.lock$)[A-Za-z0-9._/-]{1,250}$/,
      'must be a valid git branch name',
    ),
  );

export const roleArn = z
  .string()
  .check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN'));

export const port = z
  .int()
  .check(z.minimum(1, 'must be at least 1'), z.maximum(65535, 'must be at most 65535'));

export const envName = z
  .string()
  .check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be a valid environment variable name'));

/** Limits derived from ECS's 64 KiB task definition (src/domain/environment.ts says how). */
export const environment = z
  .record(
    envName,
    z.string().check(z.maxLength(MAX_VALUE_LENGTH, `must be at most ${MAX_VALUE_LENGTH} characters`)),
  )
  .check(
    z.refine(
      (env) => Object.keys(env).length <= MAX_VARIABLES,
      `must hold at most ${MAX_VARIABLES} variables`,
    ),
    z.superRefine((env, ctx) => {
      const bytes = environmentBytes(env);
      if (bytes > MAX_ENVIRONMENT_BYTES) {
        ctx.addIssue({
          code: 'custom',
          input: env,
          message: `takes ${bytes} bytes in the task definition; at most ${MAX_ENVIRONMENT_BYTES} fit (ECS caps a task definition at 64 KiB, and the platform's own variables and settings share it)`,
        });
      }
    }),
  );

/** An origin is a scheme, a host of at most 253 characters and a port: never longer than this. */
export const MAX_ORIGIN_LENGTH = 270;
export const MAX_ORIGINS = 20;

export const origin = z
  .string()
  .check(
    z.maxLength(MAX_ORIGIN_LENGTH, `must be at most ${MAX_ORIGIN_LENGTH} characters`),
    z.regex(
      /^https?:\/\/(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/,
      'must be an origin such as https://app.example.com or http://localhost:3000 (scheme, host, optional port; no path)',
    ),
  );

export const origins = z
  .array(origin)
  .check(z.maxLength(MAX_ORIGINS, `must list at most ${MAX_ORIGINS} origins`));

export const pageLimit = z.optional(
  z.coerce
    .number()
    .check(
      z.int('must be an integer'),
      z.minimum(1, 'must be at least 1'),
      z.maximum(100, 'must be at most 100'),
    ),
);
export const nextToken = z.optional(z.string().check(z.maxLength(2048, 'is too long')));
export const pageQuery = z.strictObject({ limit: pageLimit, nextToken });
