/**
 * Regenerates src/local/cloudformation/schemas/resource-schemas.json, the resource providers' JSON
 * schemas the simulated CloudFormation validates properties with, for exactly the resource types
 * TinyStacks' templates render (test/support/template-matrix.ts). The source is cfn-lint, which
 * ships AWS's registry schemas (us-east-1) with its own patches, extension schemas and the patterns
 * of its AWS id formats: its version is written into the output.
 *
 *   npm run generate:resource-schemas      (needs python3 with cfn-lint: pip install cfn-lint)
 *
 * Python regular expressions are rewritten for JavaScript where they differ (\Z, (?i), (?P<name>);
 * extension schemas that need cfn-lint's own machinery (cfnGather, $data), per-region lists, or
 * more than 100 KB are left out, and the output lists them with the reason.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileRegistrySchemas, registryRegExp } from '../../src/local/cloudformation/registry-schemas';
import type { ResourceSchemaFile } from '../../src/local/cloudformation/registry-schemas';
import { matrixResourceTypes } from '../../test/support/template-matrix';

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, '../../src/local/cloudformation/schemas/resource-schemas.json');
const MAX_EXTENSION_BYTES = 100_000;
const REGION_KEY = /^[a-z]{2}(-[a-z]+)+-\d$/;

interface CfnLintData {
  cfnLintVersion: string;
  region: string;
  types: Record<
    string,
    { schema: Record<string, unknown>; extensions: Record<string, { rules: string[]; schema: unknown }> }
  >;
  missing: string[];
  formats: Record<string, string>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `(?i)` applies to the rest of a Python pattern; JavaScript has no inline flag, so letters get both cases. */
function caseless(rest: string): string | undefined {
  let out = '';
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '\\') {
      out += c + (rest[++i] ?? '');
    } else if (c === '[') {
      return undefined; // a class would need both cases of its ranges: not needed so far
    } else {
      out += /[a-zA-Z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
    }
  }
  return out;
}

/**
 * A Python `re` pattern as a JavaScript RegExp source, or undefined if it cannot be: non-unicode,
 * but for Unicode property classes (`\p{L}`), compiled with the `u` flag (registryRegExp). POSIX
 * `\p{Print}`, which JavaScript lacks, is the printable ASCII characters, as in Java, where the
 * services check it.
 */
export function toJavaScriptPattern(pattern: string): string | undefined {
  let js = pattern
    .replace(/(?<!\\)\\Z/g, '$')
    .replace(/\(\?P</g, '(?<')
    .replace(/\\p\{Print\}/g, '[\\x20-\\x7E]');
  const inline = js.indexOf('(?i)');
  if (inline >= 0) {
    const rest = caseless(js.slice(inline + 4));
    if (rest === undefined) return undefined;
    js = js.slice(0, inline) + rest;
  }
  try {
    registryRegExp(js, '');
    return js;
  } catch {
    return undefined;
  }
}

/**
 * CloudFormation converts between numbers, booleans and their text, and so does cfn-lint when it
 * compares with an enum: 512 and "512" are the same value. JSON Schema's enum is strict, so each
 * scalar gets its other spellings.
 */
function widen(values: unknown[]): unknown[] {
  const out = [...values];
  const add = (value: unknown) => {
    if (!out.some((existing) => existing === value)) out.push(value);
  };
  for (const value of values) {
    if (typeof value === 'number' || typeof value === 'boolean') add(String(value));
    else if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) add(Number(value));
    else if (value === 'true' || value === 'false') add(value === 'true');
  }
  return out;
}

/** Keys that document or tool a schema but validate nothing: left out to keep the data small. */
const NOT_VALIDATION = new Set([
  '$schema',
  '$comment',
  'examples',
  'sourceUrl',
  'tagging',
  'propertyTransform',
  'insertionOrder',
  'relationshipRef',
  'arrayType',
  'primaryIdentifier',
  'additionalIdentifiers',
  'deprecatedProperties',
]);

/**
 * Rewrites every `pattern` and `patternProperties` key for JavaScript (collecting those it cannot)
 * and drops the keys that validate nothing. `names` is true for maps of names to schemas
 * (`properties`, `definitions`), whose keys are not keywords.
 */
function clean(node: unknown, failures: string[], names = false): unknown {
  if (Array.isArray(node)) return node.map((item) => clean(item, failures));
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (names) {
      out[key] = clean(value, failures);
    } else if (NOT_VALIDATION.has(key)) {
      continue;
    } else if (key === 'enum' && Array.isArray(value)) {
      out[key] = widen(value);
    } else if (key === 'const' && (typeof value !== 'object' || value === null)) {
      out.enum = widen([value]);
    } else if (key === 'pattern' && typeof value === 'string') {
      const js = toJavaScriptPattern(value);
      if (js === undefined) failures.push(value);
      out[key] = js ?? value;
    } else if (key === 'patternProperties' && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([pattern, schema]) => {
          const js = toJavaScriptPattern(pattern);
          if (js === undefined) failures.push(pattern);
          return [js ?? pattern, clean(schema, failures)];
        }),
      );
    } else {
      out[key] = clean(value, failures, key === 'properties' || key === 'definitions');
    }
  }
  return out;
}

/** Keywords only cfn-lint's own validator knows (it gathers other resources, compares with $data). */
function cfnLintOnlyKeyword(node: unknown): string | undefined {
  if (Array.isArray(node)) return node.map(cfnLintOnlyKeyword).find(Boolean);
  if (!isObject(node)) return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('cfn') || key === '$data' || key.startsWith('fn_')) return key;
    const nested = cfnLintOnlyKeyword(value);
    if (nested) return nested;
  }
  return undefined;
}

function whyLeftOut(rules: string[], extension: unknown): string | undefined {
  // Warnings and informational rules are advice (a backup retention to set): AWS accepts those.
  if (rules.length === 0 || !rules.every((rule) => rule.startsWith('E')))
    return `applied by ${rules.join(', ') || 'no rule'}, not an error`;
  const size = JSON.stringify(extension).length;
  if (size > MAX_EXTENSION_BYTES) return `${Math.round(size / 1000)} KB`;
  if (
    isObject(extension) &&
    Object.keys(extension).length > 0 &&
    Object.keys(extension).every((k) => REGION_KEY.test(k))
  )
    return 'per-region data';
  const keyword = cfnLintOnlyKeyword(extension);
  return keyword ? `uses cfn-lint's ${keyword}` : undefined;
}

/** One line per resource type and per entry: small, and a regeneration's diff names what changed. */
function serialize(file: Record<string, unknown>): string {
  const entries = Object.entries(file).map(([key, value]) => {
    if (!isObject(value) || Object.keys(value).length === 0)
      return ` ${JSON.stringify(key)}: ${JSON.stringify(value)}`;
    const lines = Object.entries(value).map(
      ([name, item]) => `  ${JSON.stringify(name)}: ${JSON.stringify(item)}`,
    );
    return ` ${JSON.stringify(key)}: {\n${lines.join(',\n')}\n }`;
  });
  return `{\n${entries.join(',\n')}\n}\n`;
}

function readCfnLint(types: string[]): CfnLintData {
  const python = spawnSync('python3', [join(here, 'cfn-lint-schemas.py'), ...types], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (python.status !== 0) {
    throw new Error(
      `cfn-lint-schemas.py failed (is cfn-lint installed? pip install cfn-lint):\n${python.stderr}`,
    );
  }
  return JSON.parse(python.stdout) as CfnLintData;
}

function generate(): void {
  const types = matrixResourceTypes();
  const data = readCfnLint(types);
  if (data.missing.length > 0) throw new Error(`cfn-lint has no schema for ${data.missing.join(', ')}`);

  const leftOut: Record<string, string> = {};
  const file: ResourceSchemaFile & Record<string, unknown> = {
    source: `cfn-lint ${data.cfnLintVersion}: the CloudFormation registry's provider schemas of ${data.region} with cfn-lint's patches (data/schemas/providers), its extension schemas (data/schemas/extensions) and the patterns of its formats (rules/formats)`,
    generatedBy: 'npm run generate:resource-schemas (scripts/aws-data/generate-resource-schemas.ts)',
    cfnLintVersion: data.cfnLintVersion,
    region: data.region,
    types: {},
    formats: {},
    leftOut,
  };
  for (const type of types) {
    const { schema, extensions } = data.types[type]!;
    const failures: string[] = [];
    const kept: Record<string, unknown> = {};
    for (const [name, { rules, schema: extension }] of Object.entries(extensions)) {
      const reason = whyLeftOut(rules, extension);
      const extensionFailures: string[] = [];
      const rewritten = reason ? undefined : clean(extension, extensionFailures);
      if (reason || extensionFailures.length > 0) {
        leftOut[`${type} ${name}`] =
          reason ?? `patterns JavaScript cannot express: ${extensionFailures.join(' ')}`;
      } else {
        kept[`${name} (${rules.join(', ')})`] = rewritten;
      }
    }
    const rewritten = clean(schema, failures) as Record<string, unknown>;
    if (failures.length > 0)
      throw new Error(`${type}: patterns JavaScript cannot express: ${failures.join(' ')}`);
    file.types[type] = { schema: rewritten, extensions: kept };
  }
  for (const [format, pattern] of Object.entries(data.formats)) {
    const js = toJavaScriptPattern(pattern);
    if (js === undefined) leftOut[`format ${format}`] = `pattern JavaScript cannot express: ${pattern}`;
    else file.formats[format] = js;
  }

  // Every schema must compile with the validator the simulator uses.
  const compiled = compileRegistrySchemas(file);
  for (const type of types) compiled.validate(type, {});

  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(output, serialize(file));
  const extensionCount = Object.values(file.types).reduce((n, t) => n + Object.keys(t.extensions).length, 0);
  console.log(
    `${output}: ${types.length} resource types, ${extensionCount} extension schemas, ` +
      `${Object.keys(file.formats).length} formats from cfn-lint ${data.cfnLintVersion}; left out:`,
  );
  for (const [what, reason] of Object.entries(leftOut)) console.log(`  ${what}: ${reason}`);
}

generate();
