import type * as z from 'zod/mini';
import { badRequest } from '../errors';

type Issue = z.core.$ZodIssue;
type Path = PropertyKey[];

/** "an object", "an array", "a whole number": what a value of the expected type is called. */
const expectedType = (expected: string): string =>
  expected === 'int' ? 'a whole number' : `${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;

const describe = (issue: Issue): string => {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${expectedType(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'string' ? `must not be empty` : `must be at least ${issue.minimum}`;
    case 'too_big':
      return `must be at most ${issue.maximum}${issue.origin === 'string' ? ' characters' : ''}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_key':
      // A record key (an environment variable's name): its own schema says what is wrong with it.
      return issue.issues[0] ? describe(issue.issues[0]) : 'is not a valid name';
    default:
      return issue.message && issue.message !== 'Invalid input' ? issue.message : 'is invalid';
  }
};

const unknownKeys = (issues: readonly Issue[]) =>
  issues.reduce((n, issue) => n + (issue.code === 'unrecognized_keys' ? issue.keys.length : 0), 0);

/**
 * Of a union's options, the one the caller most likely meant: the one that knows the most of the
 * given fields (fewest unknown keys), then the one with the fewest problems; on a tie the later
 * one, since a union lists its special cases before its general case (`{readReplicaOf}` before
 * `{engine, …}`: `{}` is missing its `engine`).
 */
function likeliestOption(options: readonly (readonly Issue[])[]): readonly Issue[] {
  let best = options[0] ?? [];
  for (const option of options.slice(1)) {
    const [unknownBest, unknownThis] = [unknownKeys(best), unknownKeys(option)];
    if (unknownThis < unknownBest || (unknownThis === unknownBest && option.length <= best.length))
      best = option;
  }
  return best;
}

/** The problems to report, with unions resolved to their likeliest option and paths made absolute. */
function flatten(issues: readonly Issue[], base: Path = []): { issue: Issue; path: Path }[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path];
    return issue.code === 'invalid_union' && issue.errors.length > 0
      ? flatten(likeliestOption(issue.errors), path)
      : [{ issue, path }];
  });
}

/**
 * The members every JavaScript object has (`constructor`, `toString`, `__proto__`, …). As a key of
 * user input they break the code that reads it: assigning `__proto__` sets the prototype and the
 * value is lost; an own `toString` or `constructor` makes the AWS SDK's marshalling throw. So they
 * are refused as names, by name, wherever they appear in a request.
 */
const OBJECT_MEMBERS = new Set(Object.getOwnPropertyNames(Object.prototype));

function memberKeyPath(value: unknown, path: Path = []): Path | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const key of Object.keys(value)) {
    if (OBJECT_MEMBERS.has(key)) return [...path, key];
    const found = memberKeyPath((value as Record<string, unknown>)[key], [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/**
 * Parses one part of a request with its schema; the first problem becomes a 400 that names the
 * field by its path (`environment.API_KEY`, `origins.1`, `existing.secretArn`), so a client can
 * point at it. A field the schema does not know is reported before anything else: a misspelt field
 * (`reigon`) is the likeliest reason another one (`region`) is missing.
 */
export function parsePart<S extends z.ZodMiniType>(schema: S, value: unknown, part: string): z.infer<S> {
  const memberPath = memberKeyPath(value);
  if (memberPath) {
    const field = memberPath.join('.');
    throw badRequest(
      field,
      `${field}: \`${String(memberPath.at(-1))}\` is not accepted as a name (every JavaScript object has it)`,
    );
  }
  // reportInput: without it zod leaves issue.input out, and a wrong type would read as a missing field.
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const problems = flatten(result.error.issues);
  const { issue, path } = problems.find((p) => p.issue.code === 'unrecognized_keys') ?? problems[0]!;
  if (issue.code === 'unrecognized_keys') {
    const field = [...path, issue.keys[0]].join('.');
    throw badRequest(field, `unknown field \`${field}\``);
  }
  const field = path.length > 0 ? path.join('.') : part;
  const missing = issue.code === 'invalid_type' && issue.input === undefined && path.length > 0;
  throw badRequest(field, missing ? `${field} is required` : `${field} ${describe(issue)}`);
}
