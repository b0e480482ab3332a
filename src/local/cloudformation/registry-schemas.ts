/**
 * The resource providers' JSON schemas (the CloudFormation registry's, as cfn-lint ships them with
 * its patches and extension schemas), checked against resolved resource properties: patterns,
 * enums, lengths, ranges, item counts, required and forbidden combinations. The data is generated
 * into `schemas/resource-schemas.json` by `scripts/aws-data/generate-resource-schemas.ts`, for the
 * resource types TinyStacks' templates render; other types are checked against the resource
 * specification only (properties.ts).
 */
import { readFileSync } from 'node:fs';
import { Ajv2019 } from 'ajv/dist/2019';
import type { ErrorObject, KeywordDefinition, ValidateFunction } from 'ajv/dist/2019';
import { jsonType } from './properties';

export interface ResourceSchemaFile {
  /** Where the schemas come from, with its version. */
  source: string;
  generatedBy: string;
  types: Record<string, { schema: Record<string, unknown>; extensions: Record<string, unknown> }>;
  /** cfn-lint's custom formats (`AWS::EC2::VPC.Id`, ...) and the pattern each must match. */
  formats: Record<string, string>;
}

export interface RegistrySchemas {
  readonly source: string;
  /** The resource types that have a schema. */
  types(): string[];
  /**
   * CloudFormation-style problems (`#/GroupDescription: failed validation constraint for keyword
   * [pattern]`), empty when the properties are valid; undefined when the type has no schema.
   */
  validate(type: string, properties: Record<string, unknown>): string[] | undefined;
  /** JSON pointers (`/properties/VpcId`) of the properties whose change replaces the resource. */
  createOnlyProperties(type: string): string[] | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const present = (data: Record<string, unknown>, name: string) => data[name] !== undefined;

/** cfn-lint's keywords for property combinations, which JSON Schema has no word for. */
const COMBINATION_KEYWORDS: KeywordDefinition[] = [
  {
    keyword: 'requiredXor',
    type: 'object',
    schemaType: 'array',
    validate: (names: string[], data: Record<string, unknown>) =>
      names.filter((name) => present(data, name)).length === 1,
  },
  {
    keyword: 'requiredOr',
    type: 'object',
    schemaType: 'array',
    validate: (names: string[], data: Record<string, unknown>) => names.some((name) => present(data, name)),
  },
  {
    keyword: 'dependentExcluded',
    type: 'object',
    schemaType: 'object',
    validate: (rules: Record<string, string[]>, data: Record<string, unknown>) =>
      Object.entries(rules).every(
        ([name, excluded]) => !present(data, name) || !excluded.some((other) => present(data, other)),
      ),
  },
  {
    keyword: 'uniqueKeys',
    type: 'array',
    schemaType: 'array',
    validate: (keys: string[], data: unknown[]) => {
      const seen = new Set(
        data.map((item) => JSON.stringify(keys.map((key) => (isObject(item) ? item[key] : undefined)))),
      );
      return seen.size === data.length;
    },
  },
];

const IPV4 = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}';

/** The standard formats the registry schemas use; cfn-lint's AWS id formats come with the data. */
const STANDARD_FORMATS: Record<string, RegExp | true> = {
  'ipv4-network': new RegExp(`^${IPV4}/(3[0-2]|[12]?\\d)$`),
  'ipv6-network': /^[0-9a-fA-F:.]+\/(12[0-8]|1[01]\d|[1-9]?\d)$/,
  'date-time': /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d(:\d\d(\.\d+)?)?([Zz]|[+-]\d\d:?\d\d)?$/,
  uri: /^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$/,
  json: true,
};

/** Formats named in the data whose checker cfn-lint does not publish as a pattern are not checked. */
function formatsOf(file: ResourceSchemaFile): Record<string, RegExp | true> {
  const named = new Set<string>();
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (isObject(value))
      for (const [key, item] of Object.entries(value)) {
        if (key === 'format' && typeof item === 'string') named.add(item);
        collect(item);
      }
  };
  collect(file.types);
  const formats: Record<string, RegExp | true> = {};
  for (const name of named) {
    const pattern = file.formats[name];
    formats[name] = pattern !== undefined ? new RegExp(pattern) : (STANDARD_FORMATS[name] ?? true);
  }
  return formats;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'String',
  integer: 'Integer',
  number: 'Number',
  boolean: 'Boolean',
  object: 'JSONObject',
  array: 'JSONArray',
};

function valueAt(data: unknown, pointer: string): unknown {
  let value = data;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    value = isObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

/** Keywords a dynamic reference cannot be checked against before CloudFormation resolves it. */
const STRING_KEYWORDS = new Set(['pattern', 'format', 'minLength', 'maxLength', 'enum', 'const']);

const DETAILS: Record<string, (params: Record<string, unknown>) => string> = {
  requiredXor: () => 'exactly one of the properties it names must be set',
  requiredOr: () => 'at least one of the properties it names must be set',
  dependentExcluded: () => 'a property is set together with one it excludes',
  uniqueKeys: () => 'two items have the same keys',
};

/** One ajv error in the words of CloudFormation's validator (everit), or undefined to leave out. */
function describe(error: ErrorObject): string | undefined {
  const path = `#${error.instancePath}`;
  const params = error.params as Record<string, unknown>;
  const value = error.data;
  switch (error.keyword) {
    case 'if':
      return undefined; // the failing branch reports its own errors
    case 'required':
      return `${path}: required key [${String(params.missingProperty)}] not found`;
    case 'dependentRequired':
      return `${path}: property [${String(params.property)}] requires [${String(params.missingProperty)}]`;
    case 'additionalProperties':
      return `${path}: extraneous key [${String(params.additionalProperty)}] is not permitted`;
    case 'type': {
      const expected = (Array.isArray(params.type) ? params.type : String(params.type).split(','))
        .map((type) => TYPE_NAMES[String(type)] ?? String(type))
        .join(' or ');
      return `${path}: expected type: ${expected}, found: ${jsonType(value)}`;
    }
    case 'minLength':
      return `${path}: expected minLength: ${String(params.limit)}, actual: ${String((value as string).length)}`;
    case 'maxLength':
      return `${path}: expected maxLength: ${String(params.limit)}, actual: ${String((value as string).length)}`;
    case 'minItems':
      return `${path}: expected minimum item count: ${String(params.limit)}, found: ${String((value as unknown[]).length)}`;
    case 'maxItems':
      return `${path}: expected maximum item count: ${String(params.limit)}, found: ${String((value as unknown[]).length)}`;
    case 'minimum':
      return `${path}: ${String(value)} is not greater or equal to ${String(params.limit)}`;
    case 'maximum':
      return `${path}: ${String(value)} is not less or equal to ${String(params.limit)}`;
    case 'anyOf':
      return `${path}: #: no subschema matched out of the total ${String((error.schema as unknown[]).length)} subschemas`;
    case 'oneOf':
      return Array.isArray(params.passingSchemas)
        ? `${path}: #: ${params.passingSchemas.length} subschemas matched instead of one`
        : `${path}: #: only 0 subschema matches out of ${String((error.schema as unknown[]).length)}`;
    default: {
      const detail = DETAILS[error.keyword]?.(params);
      return `${path}: failed validation constraint for keyword [${error.keyword}]${detail ? ` (${detail})` : ''}`;
    }
  }
}

/** The errors CloudFormation would report: not the branches of an anyOf/oneOf that failed as a whole. */
function report(errors: ErrorObject[], data: unknown): string[] {
  const alternatives = errors
    .filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf')
    .map((error) => `${error.schemaPath}/`);
  return errors
    .filter((error) => !alternatives.some((prefix) => error.schemaPath.startsWith(prefix)))
    .filter((error) => {
      const value = valueAt(data, error.instancePath);
      return !(
        STRING_KEYWORDS.has(error.keyword) &&
        typeof value === 'string' &&
        value.includes('{{resolve:')
      );
    })
    .flatMap((error) => describe(error) ?? []);
}

/** Keys of the registry meta-schema that are not validation keywords and only slow compilation down. */
const NOT_VALIDATION = ['$schema', '$id', 'propertyTransform', 'examples'];

function compilable(schema: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !NOT_VALIDATION.includes(key)));
}

/**
 * The schemas' patterns in JavaScript's non-unicode syntax, but for Unicode property classes
 * (`\p{L}` in tag patterns), which only the `u` flag knows: without it `\p{L}` matches "p{L}".
 */
export const registryRegExp = Object.assign(
  (pattern: string, flags: string) => new RegExp(pattern, /\\[pP]\{/.test(pattern) ? `${flags}u` : flags),
  { code: 'registryRegExp' },
);

export function compileRegistrySchemas(file: ResourceSchemaFile): RegistrySchemas {
  // Lenient like CloudFormation: "5432" is an integer and "true" a boolean. Patterns are Python's
  // (the schemas' reference validator), closer to JavaScript's non-unicode regular expressions.
  const ajv = new Ajv2019({
    allErrors: true,
    verbose: true,
    strict: false,
    coerceTypes: true,
    unicodeRegExp: false,
    code: { regExp: registryRegExp },
    formats: formatsOf(file),
  });
  for (const keyword of COMBINATION_KEYWORDS) ajv.addKeyword(keyword);
  const compiled = new Map<string, ValidateFunction[]>();

  const validators = (type: string): ValidateFunction[] | undefined => {
    const entry = file.types[type];
    if (!entry) return undefined;
    let found = compiled.get(type);
    if (!found) {
      found = [entry.schema, ...Object.values(entry.extensions)].map((schema) =>
        ajv.compile(compilable(schema as Record<string, unknown>)),
      );
      compiled.set(type, found);
    }
    return found;
  };

  return {
    source: file.source,
    types: () => Object.keys(file.types),
    validate: (type, properties) => {
      const checks = validators(type);
      if (!checks) return undefined;
      // Coercion rewrites the data it checks: check a copy.
      const data = structuredClone(properties);
      return checks.flatMap((check) => (check(data) ? [] : report(check.errors ?? [], properties)));
    },
    createOnlyProperties: (type) => {
      const list = file.types[type]?.schema.createOnlyProperties;
      return Array.isArray(list) ? list.map(String) : undefined;
    },
  };
}

let loaded: RegistrySchemas | undefined;

/** The schemas generated into the repository, loaded on first use and shared by the process. */
export function loadRegistrySchemas(): RegistrySchemas {
  loaded ??= compileRegistrySchemas(
    JSON.parse(
      readFileSync(new URL('./schemas/resource-schemas.json', import.meta.url), 'utf8'),
    ) as ResourceSchemaFile,
  );
  return loaded;
}

/**
 * The properties of a resource type whose change makes CloudFormation replace the resource, as
 * JSON pointers (`/properties/GroupDescription`); undefined for a type without a schema.
 */
export function createOnlyProperties(type: string): string[] | undefined {
  return loadRegistrySchemas().createOnlyProperties(type);
}

/**
 * The message CloudFormation fails a resource with when its resolved properties break its
 * provider's schema, or undefined when they do not (or the type has no schema here).
 */
export function registryPropertiesError(
  logicalId: string,
  type: string,
  properties: Record<string, unknown>,
  schemas: RegistrySchemas = loadRegistrySchemas(),
): string | undefined {
  const errors = schemas.validate(type, properties) ?? [];
  if (errors.length === 0) return undefined;
  const message = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
  return `Properties validation failed for resource ${logicalId} with message: ${message}`;
}
