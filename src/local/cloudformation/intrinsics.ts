/**
 * CloudFormation's intrinsic functions, both as references (for validation and dependency order)
 * and as values (for provisioning and outputs).
 */

/** What `Ref: AWS::NoValue` resolves to: the property or list element is dropped. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export const PSEUDO_PARAMETERS = [
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
] as const;

const FUNCTIONS = new Set([
  'Ref',
  'Condition',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::FindInMap',
  'Fn::GetAtt',
  'Fn::GetAZs',
  'Fn::If',
  'Fn::ImportValue',
  'Fn::Join',
  'Fn::Select',
  'Fn::Split',
  'Fn::Sub',
  'Fn::Equals',
  'Fn::Not',
  'Fn::And',
  'Fn::Or',
]);

/** A template error found while resolving a value; the resource (or stack) fails with its message. */
export class TemplateError extends Error {}

export type Reference =
  | { kind: 'ref'; target: string }
  | { kind: 'getatt'; target: string; attribute: string | undefined }
  | { kind: 'condition'; name: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The function name when `value` is an intrinsic call: an object with exactly one function key.
 * `{ Condition: name }` is a function only inside conditions; elsewhere (an IAM policy statement)
 * `Condition` is an ordinary key.
 */
export function intrinsicName(value: unknown, inConditions = false): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  if (key === 'Condition') return inConditions ? key : undefined;
  return key === 'Ref' || key.startsWith('Fn::') ? key : undefined;
}

/** Fn::GetAtt takes `['Res', 'Attr']` or `'Res.Attr'` (the attribute may itself contain dots). */
function getAttParts(argument: unknown): [unknown, unknown] {
  if (typeof argument === 'string') {
    const dot = argument.indexOf('.');
    return dot < 0 ? [argument, undefined] : [argument.slice(0, dot), argument.slice(dot + 1)];
  }
  if (Array.isArray(argument)) return [argument[0], argument[1]];
  return [undefined, undefined];
}

interface SubPart {
  literal?: string;
  variable?: string;
}

/** `${Name}`, `${Res.Attr}` and the escape `${!Literal}`, which renders as `${Literal}`. */
function parseSub(template: string): SubPart[] {
  const parts: SubPart[] = [];
  let last = 0;
  for (const match of template.matchAll(/\$\{([^}]*)\}/g)) {
    parts.push({ literal: template.slice(last, match.index) });
    const name = match[1]!.trim();
    parts.push(name.startsWith('!') ? { literal: `\${${name.slice(1)}}` } : { variable: name });
    last = match.index + match[0].length;
  }
  parts.push({ literal: template.slice(last) });
  return parts;
}

function subArguments(argument: unknown): { template: unknown; variables: Record<string, unknown> } {
  if (Array.isArray(argument)) {
    return { template: argument[0], variables: isObject(argument[1]) ? argument[1] : {} };
  }
  return { template: argument, variables: {} };
}

/** A Sub variable without a dot is a Ref; with one, a GetAtt (pseudo parameters contain no dot). */
function subVariableReference(name: string): Reference {
  const dot = name.indexOf('.');
  return dot < 0
    ? { kind: 'ref', target: name }
    : { kind: 'getatt', target: name.slice(0, dot), attribute: name.slice(dot + 1) };
}

/** Every Ref, GetAtt (including inside Fn::Sub) and condition name used in a template fragment. */
export function collectReferences(
  value: unknown,
  inConditions = false,
  found: Reference[] = [],
): Reference[] {
  const collect = (child: unknown) => collectReferences(child, inConditions, found);
  if (Array.isArray(value)) {
    value.forEach(collect);
    return found;
  }
  if (!isObject(value)) return found;
  const fn = intrinsicName(value, inConditions);
  const argument = fn ? value[fn] : undefined;
  if (fn && !FUNCTIONS.has(fn)) {
    throw new TemplateError(`Template format error: Encountered unsupported function: ${fn}`);
  }
  if (fn === 'Ref' && typeof argument === 'string') {
    found.push({ kind: 'ref', target: argument });
  } else if (fn === 'Condition' && typeof argument === 'string') {
    found.push({ kind: 'condition', name: argument });
  } else if (fn === 'Fn::GetAtt') {
    const [target, attribute] = getAttParts(argument);
    if (typeof target === 'string') {
      found.push({
        kind: 'getatt',
        target,
        attribute: typeof attribute === 'string' ? attribute : undefined,
      });
    }
    collect(attribute);
  } else if (fn === 'Fn::Sub') {
    const { template, variables } = subArguments(argument);
    if (typeof template === 'string') {
      for (const part of parseSub(template)) {
        if (part.variable !== undefined && !(part.variable in variables)) {
          found.push(subVariableReference(part.variable));
        }
      }
    }
    collect(Object.values(variables));
  } else if (fn === 'Fn::If' && Array.isArray(argument)) {
    if (typeof argument[0] === 'string') found.push({ kind: 'condition', name: argument[0] });
    collect(argument.slice(1));
  } else {
    collect(Object.values(value));
  }
  return found;
}

export interface ResolveContext {
  region: string;
  pseudo: Record<string, unknown>;
  parameters: Record<string, unknown>;
  mappings: Record<string, unknown>;
  condition(name: string): boolean;
  ref(logicalId: string): unknown;
  getAtt(logicalId: string, attribute: string): unknown;
  importValue(exportName: string): string;
}

const asArgs = (fn: string, argument: unknown, count: number): unknown[] => {
  if (!Array.isArray(argument) || argument.length !== count) {
    throw new TemplateError(`Template error: ${fn} requires a list of ${count} arguments`);
  }
  return argument;
};

function asString(fn: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`Template error: every ${fn} object must resolve to a string`);
}

function asList(fn: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  throw new TemplateError(`Template error: ${fn} requires a list`);
}

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

const numberToIpv4 = (n: number): string =>
  [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** Fn::Cidr: `count` consecutive blocks of `2^cidrBits` addresses carved from the start of `ipBlock`. */
function cidr(ipBlock: string, count: number, cidrBits: number): string[] {
  const [address, prefix] = ipBlock.split('/');
  if (!address || prefix === undefined || !/^\d+\.\d+\.\d+\.\d+$/.test(address)) {
    throw new TemplateError(`Template error: Fn::Cidr does not support the IP block ${ipBlock}`);
  }
  const base = ipv4ToNumber(address);
  const size = 2 ** cidrBits;
  if (count * size > 2 ** (32 - Number(prefix))) {
    throw new TemplateError(
      `Template error: Fn::Cidr cannot fit ${count} blocks of /${32 - cidrBits} in ${ipBlock}`,
    );
  }
  return Array.from({ length: count }, (_, i) => `${numberToIpv4(base + i * size)}/${32 - cidrBits}`);
}

function resolveRef(name: string, ctx: ResolveContext): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name in ctx.pseudo) return ctx.pseudo[name];
  if (name in ctx.parameters) return ctx.parameters[name];
  return ctx.ref(name);
}

function resolveSub(argument: unknown, ctx: ResolveContext): string {
  const { template, variables } = subArguments(argument);
  const values = resolve(variables, ctx) as Record<string, unknown>;
  return parseSub(asString('Fn::Sub', template))
    .map((part) => {
      if (part.literal !== undefined) return part.literal;
      const name = part.variable!;
      if (name in values) return asString('Fn::Sub', values[name]);
      const reference = subVariableReference(name);
      const value =
        reference.kind === 'getatt'
          ? ctx.getAtt(reference.target, reference.attribute!)
          : resolveRef(name, ctx);
      return asString('Fn::Sub', value);
    })
    .join('');
}

function resolveFunction(fn: string, argument: unknown, ctx: ResolveContext): unknown {
  switch (fn) {
    case 'Ref':
      return resolveRef(asString('Ref', argument), ctx);
    case 'Fn::GetAtt': {
      const [target, attribute] = getAttParts(argument);
      return ctx.getAtt(asString(fn, target), asString(fn, resolve(attribute, ctx)));
    }
    case 'Fn::Sub':
      return resolveSub(argument, ctx);
    case 'Fn::Join': {
      const [delimiter, list] = asArgs(fn, argument, 2);
      return asList(fn, resolve(list, ctx))
        .map((item) => asString(fn, item))
        .join(asString(fn, delimiter));
    }
    case 'Fn::Select': {
      const [index, list] = asArgs(fn, resolve(argument, ctx), 2);
      const items = asList(fn, list);
      const i = Number(index);
      if (!Number.isInteger(i) || i < 0 || i >= items.length) {
        throw new TemplateError(
          `Template error: Fn::Select cannot select nonexistent value at index ${String(index)}`,
        );
      }
      return items[i];
    }
    case 'Fn::Split': {
      const [delimiter, source] = asArgs(fn, resolve(argument, ctx), 2);
      return asString(fn, source).split(asString(fn, delimiter));
    }
    case 'Fn::GetAZs': {
      const region = asString(fn, resolve(argument, ctx)) || ctx.region;
      return ['a', 'b', 'c'].map((zone) => region + zone);
    }
    case 'Fn::Base64':
      return Buffer.from(asString(fn, resolve(argument, ctx))).toString('base64');
    case 'Fn::Cidr': {
      const [ipBlock, count, cidrBits] = asArgs(fn, resolve(argument, ctx), 3);
      return cidr(asString(fn, ipBlock), Number(count), Number(cidrBits));
    }
    case 'Fn::ImportValue':
      return ctx.importValue(asString(fn, resolve(argument, ctx)));
    case 'Fn::FindInMap': {
      const [map, top, second] = asArgs(fn, resolve(argument, ctx), 3).map((key) => asString(fn, key));
      const value = (ctx.mappings[map!] as Record<string, Record<string, unknown>> | undefined)?.[top!]?.[
        second!
      ];
      if (value === undefined)
        throw new TemplateError(`Template error: Unable to get mapping for ${map}::${top}::${second}`);
      return value;
    }
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = asArgs(fn, argument, 3);
      return resolve(ctx.condition(asString(fn, condition)) ? whenTrue : whenFalse, ctx);
    }
    default:
      throw new TemplateError(`Template error: ${fn} can only be used in the Conditions block`);
  }
}

/** Resolves every intrinsic in `value`; NO_VALUE drops object keys and list elements. */
export function resolve(value: unknown, ctx: ResolveContext): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolve(item, ctx)).filter((item) => item !== NO_VALUE);
  }
  if (!isObject(value)) return value;
  const fn = intrinsicName(value);
  if (fn) return resolveFunction(fn, value[fn], ctx);
  const resolved: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const result = resolve(item, ctx);
    if (result !== NO_VALUE) resolved[key] = result;
  }
  return resolved;
}

/** Evaluates a condition: Fn::Equals, Fn::Not, Fn::And, Fn::Or and `{ Condition: name }`. */
export function evaluateCondition(expression: unknown, ctx: ResolveContext): boolean {
  const fn = intrinsicName(expression, true);
  const argument = fn ? (expression as Record<string, unknown>)[fn] : undefined;
  const conditions = (count?: number): boolean[] => {
    const list = count === undefined ? asList(fn!, argument) : asArgs(fn!, argument, count);
    return list.map((item) => evaluateCondition(item, ctx));
  };
  switch (fn) {
    case 'Condition':
      return ctx.condition(asString(fn, argument));
    case 'Fn::Equals': {
      const [a, b] = asArgs(fn, resolve(argument, ctx), 2);
      return String(a) === String(b) || JSON.stringify(a) === JSON.stringify(b);
    }
    case 'Fn::Not':
      return !conditions(1)[0];
    case 'Fn::And':
      return conditions().every(Boolean);
    case 'Fn::Or':
      return conditions().some(Boolean);
    default:
      throw new TemplateError(
        'Template error: every condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition',
      );
  }
}
