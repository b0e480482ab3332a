import type { Parameter } from '@aws-sdk/client-cloudformation';
import { validationError } from './errors';
import { collectReferences, intrinsicName, PSEUDO_PARAMETERS, TemplateError } from './intrinsics';
import type { Reference } from './intrinsics';
import type { ResourceSpec } from './spec';

export interface ParameterDeclaration {
  type: string;
  default?: string;
  allowedValues?: string[];
  allowedPattern?: string;
  noEcho: boolean;
}

export interface ResourceDeclaration {
  type: string;
  properties: Record<string, unknown>;
  dependsOn: string[];
  condition?: string;
  deletionPolicy?: string;
}

export interface OutputDeclaration {
  value: unknown;
  description?: string;
  exportName?: unknown;
  condition?: string;
}

export interface Template {
  /** The template as parsed, compared whole to detect updates that change nothing. */
  body: Record<string, unknown>;
  description?: string;
  parameters: Record<string, ParameterDeclaration>;
  mappings: Record<string, unknown>;
  conditions: Record<string, unknown>;
  resources: Record<string, ResourceDeclaration>;
  outputs: Record<string, OutputDeclaration>;
  /** Logical ids ordered so that each resource comes after every resource it depends on. */
  order: string[];
}

const SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
]);
const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
  'Metadata',
]);
const PSEUDO = new Set<string>(PSEUDO_PARAMETERS);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const formatError = (message: string) => validationError(`Template format error: ${message}`);

/** CloudFormation's quotas on one template (the CloudFormation User Guide, "Understand CloudFormation quotas"). */
export const TEMPLATE_LIMITS = {
  /** CreateStack/UpdateStack's TemplateBody; larger templates go through S3 (TemplateURL). */
  templateBodyBytes: 51_200,
  /** A template read from S3 through TemplateURL. */
  templateUrlBytes: 1_000_000,
  resources: 500,
  outputs: 200,
  parameters: 200,
  mappings: 200,
  /** Logical ids, output, parameter and mapping names. */
  nameLength: 255,
  descriptionBytes: 1024,
} as const;

/** Refuses a template over the size CloudFormation accepts by the given way (before parsing it). */
export function checkTemplateSize(body: string, via: 'TemplateBody' | 'TemplateURL'): void {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (via === 'TemplateBody' && bytes > TEMPLATE_LIMITS.templateBodyBytes) {
    throw validationError(
      "1 validation error detected: Value at 'templateBody' failed to satisfy constraint: " +
        `Member must have length less than or equal to ${TEMPLATE_LIMITS.templateBodyBytes}`,
    );
  }
  if (via === 'TemplateURL' && bytes > TEMPLATE_LIMITS.templateUrlBytes) {
    throw validationError(`Template may not exceed ${TEMPLATE_LIMITS.templateUrlBytes} bytes in size.`);
  }
}

function checkCounts(json: Record<string, unknown>): void {
  const sections = [
    ['Resources', 'resources', TEMPLATE_LIMITS.resources],
    ['Outputs', 'outputs', TEMPLATE_LIMITS.outputs],
    ['Parameters', 'parameters', TEMPLATE_LIMITS.parameters],
    ['Mappings', 'mappings', TEMPLATE_LIMITS.mappings],
  ] as const;
  for (const [section, noun, limit] of sections) {
    const names = Object.keys(isObject(json[section]) ? json[section] : {});
    if (names.length > limit) {
      throw formatError(`Number of ${noun}, ${names.length}, is greater than maximum allowed, ${limit}`);
    }
    const long = names.find((name) => name.length > TEMPLATE_LIMITS.nameLength);
    if (long !== undefined) {
      throw formatError(
        `${section} name ${long.slice(0, 40)}… is longer than ${TEMPLATE_LIMITS.nameLength} characters`,
      );
    }
  }
  if (
    typeof json.Description === 'string' &&
    Buffer.byteLength(json.Description, 'utf8') > TEMPLATE_LIMITS.descriptionBytes
  ) {
    throw formatError(`'Description' length is greater than ${TEMPLATE_LIMITS.descriptionBytes}.`);
  }
}

/** Custom resources take any properties and return any attributes; the spec only knows their base type. */
export const isCustomType = (type: string): boolean =>
  type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';

function parseJson(body: string | undefined): Record<string, unknown> {
  if (body === undefined) throw validationError('Either Template URL or Template Body must be specified.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    const yaml = !body.trimStart().startsWith('{');
    throw formatError(
      yaml
        ? 'YAML templates are not supported by the local CloudFormation; send the template as JSON'
        : `JSON not well-formed. (${(error as Error).message})`,
    );
  }
  if (!isObject(parsed)) throw formatError('JSON not well-formed. (the template must be an object)');
  return parsed;
}

function rejectNulls(value: unknown, path: string): void {
  if (value === null) throw formatError(`[${path}] 'null' values are not allowed in templates`);
  if (Array.isArray(value)) value.forEach((item, i) => rejectNulls(item, `${path}/${i}`));
  else if (isObject(value))
    for (const [key, item] of Object.entries(value)) rejectNulls(item, `${path}/${key}`);
}

function parseParameters(section: unknown): Record<string, ParameterDeclaration> {
  const parameters: Record<string, ParameterDeclaration> = {};
  for (const [name, declaration] of Object.entries(isObject(section) ? section : {})) {
    if (!isObject(declaration) || typeof declaration.Type !== 'string') {
      throw formatError(`[/Parameters/${name}] Every Parameters object must contain a Type member.`);
    }
    parameters[name] = {
      type: declaration.Type,
      default: declaration.Default === undefined ? undefined : String(declaration.Default),
      allowedValues: Array.isArray(declaration.AllowedValues)
        ? declaration.AllowedValues.map(String)
        : undefined,
      allowedPattern: typeof declaration.AllowedPattern === 'string' ? declaration.AllowedPattern : undefined,
      noEcho: String(declaration.NoEcho) === 'true',
    };
  }
  return parameters;
}

function parseResources(section: unknown): Record<string, ResourceDeclaration> {
  if (!isObject(section) || Object.keys(section).length === 0) {
    throw formatError('At least one Resources member must be defined.');
  }
  const resources: Record<string, ResourceDeclaration> = {};
  for (const [logicalId, declaration] of Object.entries(section)) {
    if (!/^[A-Za-z0-9]+$/.test(logicalId)) {
      throw formatError(`Resource name ${logicalId} is non alphanumeric.`);
    }
    if (!isObject(declaration) || typeof declaration.Type !== 'string') {
      throw formatError(`[/Resources/${logicalId}] Every Resources object must contain a Type member.`);
    }
    const unknown = Object.keys(declaration).find((key) => !RESOURCE_ATTRIBUTES.has(key));
    if (unknown) throw formatError(`Invalid template resource property '${unknown}'`);
    const properties = declaration.Properties ?? {};
    if (!isObject(properties)) throw formatError(`[/Resources/${logicalId}/Properties] must be an object`);
    rejectNulls(properties, `/Resources/${logicalId}/Properties`);
    const dependsOn = declaration.DependsOn ?? [];
    resources[logicalId] = {
      type: declaration.Type,
      properties,
      dependsOn: (Array.isArray(dependsOn) ? dependsOn : [dependsOn]).map(String),
      condition: typeof declaration.Condition === 'string' ? declaration.Condition : undefined,
      deletionPolicy: typeof declaration.DeletionPolicy === 'string' ? declaration.DeletionPolicy : undefined,
    };
  }
  return resources;
}

function parseOutputs(section: unknown): Record<string, OutputDeclaration> {
  const outputs: Record<string, OutputDeclaration> = {};
  for (const [key, declaration] of Object.entries(isObject(section) ? section : {})) {
    if (!isObject(declaration) || declaration.Value === undefined) {
      throw formatError('Every Outputs member must contain a Value object');
    }
    outputs[key] = {
      value: declaration.Value,
      description: typeof declaration.Description === 'string' ? declaration.Description : undefined,
      exportName: isObject(declaration.Export) ? declaration.Export.Name : undefined,
      condition: typeof declaration.Condition === 'string' ? declaration.Condition : undefined,
    };
  }
  return outputs;
}

/** Functions that always produce a list, which an output value cannot be. */
const LIST_FUNCTIONS = new Set(['Fn::GetAZs', 'Fn::Split', 'Fn::Cidr']);

function producesList(value: unknown, template: Template, spec: ResourceSpec): boolean {
  if (Array.isArray(value)) return true;
  const fn = intrinsicName(value);
  if (!fn) return false;
  const argument = (value as Record<string, unknown>)[fn];
  if (LIST_FUNCTIONS.has(fn)) return true;
  if (fn === 'Ref' && typeof argument === 'string') {
    const type = template.parameters[argument]?.type ?? '';
    return type.startsWith('List<') || type === 'CommaDelimitedList' || argument === 'AWS::NotificationARNs';
  }
  if (fn === 'Fn::GetAtt') {
    const [reference] = collectReferences(value);
    if (reference?.kind !== 'getatt' || reference.attribute === undefined) return false;
    const type = template.resources[reference.target]?.type ?? '';
    return spec.resource(type)?.attributes[reference.attribute]?.type.type === 'array';
  }
  return false;
}

function dependencyOrder(resources: Record<string, ResourceDeclaration>): string[] {
  const dependencies = new Map<string, Set<string>>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    const targets = collectReferences(resource.properties)
      .filter((reference) => reference.kind !== 'condition')
      .map((reference) => reference.target)
      .concat(resource.dependsOn)
      .filter((target) => target in resources);
    dependencies.set(logicalId, new Set(targets));
  }
  const order: string[] = [];
  const placed = new Set<string>();
  // Template order among the resources that are ready, so the order is stable and readable.
  for (let progress = true; progress;) {
    progress = false;
    for (const [logicalId, needs] of dependencies) {
      if (placed.has(logicalId) || [...needs].some((need) => !placed.has(need))) continue;
      order.push(logicalId);
      placed.add(logicalId);
      progress = true;
    }
  }
  const cycle = [...dependencies.keys()].filter((logicalId) => !placed.has(logicalId));
  if (cycle.length > 0) throw validationError(`Circular dependency between resources: [${cycle.join(', ')}]`);
  return order;
}

type Block = 'Resources' | 'Outputs' | 'Conditions';

/** The checks CloudFormation runs when it receives a template, before it creates anything. */
function checkReferences(template: Template, spec: ResourceSpec): void {
  const unresolved = new Map<Block, Set<string>>();
  const { resources, parameters, conditions } = template;
  const unresolvedIn = (block: Block, name: string) =>
    unresolved.set(block, (unresolved.get(block) ?? new Set()).add(name));

  const check = (block: Block, references: Reference[]) => {
    for (const reference of references) {
      if (reference.kind === 'condition') {
        if (!(reference.name in conditions)) {
          throw validationError(
            `Template error: unresolved condition dependency ${reference.name} in Fn::If`,
          );
        }
      } else if (reference.kind === 'ref') {
        const known = PSEUDO.has(reference.target) || reference.target in parameters;
        if (!known && (block === 'Conditions' || !(reference.target in resources))) {
          unresolvedIn(block, reference.target);
        }
      } else if (block === 'Conditions' || !(reference.target in resources)) {
        unresolvedIn(block, reference.target);
      } else {
        checkAttribute(reference.target, resources[reference.target]!.type, reference.attribute, spec);
      }
    }
  };

  for (const expression of Object.values(conditions))
    check('Conditions', collectReferences(expression, true));
  for (const resource of Object.values(resources)) {
    check('Resources', collectReferences(resource.properties));
    // DependsOn must name a resource, which is what a GetAtt without an attribute checks.
    check(
      'Resources',
      resource.dependsOn.map((target) => ({ kind: 'getatt', target, attribute: undefined })),
    );
    if (resource.condition !== undefined)
      check('Resources', [{ kind: 'condition', name: resource.condition }]);
  }
  for (const output of Object.values(template.outputs)) {
    check('Outputs', collectReferences([output.value, output.exportName]));
    if (output.condition !== undefined) check('Outputs', [{ kind: 'condition', name: output.condition }]);
  }

  for (const [block, names] of unresolved) {
    const list = [...names].join(', ');
    throw formatError(
      block === 'Conditions'
        ? `Unresolved dependencies [${list}]. Cannot reference resources in the Conditions block of the template`
        : `Unresolved resource dependencies [${list}] in the ${block} block of the template`,
    );
  }
}

function checkAttribute(
  logicalId: string,
  type: string,
  attribute: string | undefined,
  spec: ResourceSpec,
): void {
  if (attribute === undefined || isCustomType(type)) return;
  if (type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.')) return;
  if (!(attribute in (spec.resource(type)?.attributes ?? {}))) {
    throw validationError(
      `Template error: resource ${logicalId} does not support attribute type ${attribute} in Fn::GetAtt`,
    );
  }
}

function checkResourceTypes(resources: Record<string, ResourceDeclaration>, spec: ResourceSpec): void {
  const unknown = [
    ...new Set(
      Object.values(resources)
        .map((resource) => resource.type)
        .filter((type) => !isCustomType(type) && spec.resource(type) === undefined),
    ),
  ];
  if (unknown.length > 0) throw formatError(`Unrecognized resource types: [${unknown.join(', ')}]`);
}

/**
 * Parses and checks a template the way CloudFormation does on CreateStack/UpdateStack. Its size is
 * checked by the caller, which knows whether it came as TemplateBody or from TemplateURL.
 */
export function parseTemplate(body: string | undefined, spec: ResourceSpec): Template {
  const json = parseJson(body);
  const unknownSections = Object.keys(json).filter((key) => !SECTIONS.has(key));
  if (unknownSections.length > 0) {
    throw formatError(`Invalid template property or properties [${unknownSections.join(', ')}]`);
  }
  if (json.Transform !== undefined) {
    throw formatError('Transforms are not supported by the local CloudFormation');
  }
  checkCounts(json);
  const resources = parseResources(json.Resources);
  const template: Template = {
    body: json,
    description: typeof json.Description === 'string' ? json.Description : undefined,
    parameters: parseParameters(json.Parameters),
    mappings: isObject(json.Mappings) ? json.Mappings : {},
    conditions: isObject(json.Conditions) ? json.Conditions : {},
    resources,
    outputs: parseOutputs(json.Outputs),
    order: [],
  };
  try {
    checkResourceTypes(resources, spec);
    checkReferences(template, spec);
  } catch (error) {
    if (error instanceof TemplateError) throw validationError(error.message);
    throw error;
  }
  for (const output of Object.values(template.outputs)) {
    if (producesList(output.value, template, spec)) {
      throw formatError('The Value field of every Outputs member must evaluate to a String and not a List.');
    }
  }
  template.order = dependencyOrder(resources);
  return template;
}

/**
 * The parameter values of a create or update: given, else the previous value when asked for, else
 * the default. Checked like CloudFormation checks them.
 */
export function resolveParameterValues(
  template: Template,
  given: Parameter[] = [],
  previous: Record<string, string> = {},
): Record<string, string> {
  const byKey = new Map(given.map((parameter) => [parameter.ParameterKey ?? '', parameter]));
  const unknown = [...byKey.keys()].filter((key) => !(key in template.parameters));
  if (unknown.length > 0)
    throw validationError(`Parameters: [${unknown.join(', ')}] do not exist in the template`);

  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, declaration] of Object.entries(template.parameters)) {
    const parameter = byKey.get(name);
    const value = parameter?.UsePreviousValue
      ? previous[name]
      : (parameter?.ParameterValue ?? declaration.default);
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    if (declaration.allowedValues && !declaration.allowedValues.includes(value)) {
      throw validationError(`Parameter '${name}' must be one of AllowedValues`);
    }
    if (declaration.allowedPattern && !new RegExp(`^(?:${declaration.allowedPattern})$`).test(value)) {
      throw validationError(`Parameter '${name}' must match pattern ${declaration.allowedPattern}`);
    }
    if (declaration.type === 'Number' && (value.trim() === '' || Number.isNaN(Number(value)))) {
      throw validationError(`Parameter '${name}' must be a number.`);
    }
    values[name] = value;
  }
  if (missing.length > 0) throw validationError(`Parameters: [${missing.join(', ')}] must have values`);
  return values;
}

/** What `Ref` to a parameter returns: list types are split on commas. */
export function parameterRefValues(
  template: Template,
  values: Record<string, string>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => {
      const type = template.parameters[name]?.type ?? 'String';
      const isList = type.startsWith('List<') || type === 'CommaDelimitedList';
      return [name, isList ? value.split(',') : value];
    }),
  );
}

const IAM_NAME_PROPERTIES: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
};

/** The capability CloudFormation demands before it creates IAM resources, if any. */
export function requiredCapability(
  template: Template,
): 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM' | undefined {
  const iam = Object.values(template.resources).filter((resource) => resource.type.startsWith('AWS::IAM::'));
  if (iam.length === 0) return undefined;
  const named = iam.some((resource) => {
    const nameProperty = IAM_NAME_PROPERTIES[resource.type];
    return nameProperty !== undefined && resource.properties[nameProperty] !== undefined;
  });
  return named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM';
}

/** CloudFormation's limits on a stack's tags, which it also puts on every resource it can. */
export const STACK_TAG_LIMITS = { count: 50, keyLength: 128, valueLength: 256 } as const;

export function checkStackTags(tags: { Key?: string; Value?: string }[] = []): void {
  const constraint = (where: string, rule: string) =>
    validationError(`1 validation error detected: Value at '${where}' failed to satisfy constraint: ${rule}`);
  if (tags.length > STACK_TAG_LIMITS.count) {
    throw constraint('tags', `Member must have length less than or equal to ${STACK_TAG_LIMITS.count}`);
  }
  tags.forEach((tag, i) => {
    const key = tag.Key ?? '';
    if (key.length < 1 || key.length > STACK_TAG_LIMITS.keyLength) {
      throw constraint(
        `tags.${i + 1}.member.key`,
        `Member must have length between 1 and ${STACK_TAG_LIMITS.keyLength}`,
      );
    }
    if ((tag.Value ?? '').length > STACK_TAG_LIMITS.valueLength) {
      throw constraint(
        `tags.${i + 1}.member.value`,
        `Member must have length less than or equal to ${STACK_TAG_LIMITS.valueLength}`,
      );
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw validationError(`Invalid tag key: '${key}'. Tag keys starting with 'aws:' are reserved.`);
    }
  });
}
