import type { Property, PropertyType, Resource } from '@aws-cdk/service-spec-types';
import type { ResourceSpec } from './spec';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON Schema type names, as CloudFormation's registry validation reports them. */
export function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'JSONArray';
  if (isObject(value)) return 'JSONObject';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Integer' : 'Number';
  if (typeof value === 'boolean') return 'Boolean';
  return 'String';
}

const isNumeric = (value: unknown) =>
  typeof value === 'number' ||
  (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)));

type Validate = (value: unknown, path: string) => string[];

/** The legacy tag type is a `{ Key, Value }` pair. */
const required: Property = { required: true, type: { type: 'string' } };
const TAG_PROPERTIES = { Key: required, Value: required };

/**
 * Errors in `value` against a spec type, as `#/path: problem` lines. Scalars are as lenient as
 * CloudFormation, which converts between numbers, booleans and strings where the text allows.
 */
function validateType(type: PropertyType, value: unknown, path: string, spec: ResourceSpec): string[] {
  const mismatch = (expected: string) => [`${path}: expected type: ${expected}, found: ${jsonType(value)}`];
  switch (type.type) {
    case 'json':
      return [];
    case 'string':
    case 'date-time':
      return isObject(value) || Array.isArray(value) ? mismatch('String') : [];
    case 'integer':
    case 'number':
      return isNumeric(value) ? [] : mismatch(type.type === 'integer' ? 'Integer' : 'Number');
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : mismatch('Boolean');
    case 'null':
      return [];
    case 'tag':
      return isObject(value) ? validateObject(TAG_PROPERTIES, value, path, spec) : mismatch('JSONObject');
    case 'array':
      return Array.isArray(value)
        ? value.flatMap((item, i) => validateType(type.element, item, `${path}/${i}`, spec))
        : mismatch('JSONArray');
    case 'map':
      return isObject(value)
        ? Object.entries(value).flatMap(([key, item]) =>
            validateType(type.element, item, `${path}/${key}`, spec),
          )
        : mismatch('JSONObject');
    case 'union':
      return firstValid(type.types.map((option) => () => validateType(option, value, path, spec)));
    case 'ref': {
      const definition = spec.typeDefinition(type.reference);
      if (!definition) return [];
      return isObject(value)
        ? validateObject(definition.properties, value, path, spec)
        : mismatch('JSONObject');
    }
  }
}

/** No errors if any alternative has none; otherwise the errors of the first alternative. */
function firstValid(alternatives: (() => string[])[]): string[] {
  let first: string[] | undefined;
  for (const alternative of alternatives) {
    const errors = alternative();
    if (errors.length === 0) return [];
    first ??= errors;
  }
  return first ?? [];
}

/** A property may still hold a value of one of its previous types; CloudFormation accepts both. */
const validateProperty =
  (property: Property, spec: ResourceSpec): Validate =>
  (value, path) =>
    firstValid(
      [property.type, ...(property.previousTypes ?? [])].map(
        (type) => () => validateType(type, value, path, spec),
      ),
    );

function validateObject(
  properties: Record<string, Property>,
  value: Record<string, unknown>,
  path: string,
  spec: ResourceSpec,
): string[] {
  const errors: string[] = [];
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && value[name] === undefined)
      errors.push(`${path}: required key [${name}] not found`);
  }
  for (const [name, item] of Object.entries(value)) {
    const property = properties[name];
    if (!property) errors.push(`${path}: extraneous key [${name}] is not permitted`);
    else errors.push(...validateProperty(property, spec)(item, `${path}/${name}`));
  }
  return errors;
}

/**
 * The message CloudFormation fails a resource with when its (resolved) properties do not match the
 * resource specification, or undefined when they do.
 */
export function propertiesError(
  logicalId: string,
  resource: Resource,
  properties: Record<string, unknown>,
  spec: ResourceSpec,
): string | undefined {
  const unsupported = Object.keys(properties).find((name) => !(name in resource.properties));
  if (unsupported) return `Encountered unsupported property ${unsupported}`;

  const errors = validateObject(resource.properties, properties, '#', spec);
  if (errors.length === 0) return undefined;
  const message = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
  return `Properties validation failed for resource ${logicalId} with message: ${message}`;
}
