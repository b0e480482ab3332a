/**
 * Regenerates src/local/cloudformation/schemas/handler-permissions.json: for each resource type
 * TinyStacks' templates render (test/support/template-matrix.ts), the IAM actions CloudFormation's
 * resource handlers call to create, read, update and delete it, as the providers' registry schemas
 * publish them (`handlers.<action>.permissions`). The customer's role must grant them
 * (test/unit/domain/customer-role.test.ts checks it).
 *
 * cfn-lint strips the handlers from its copy of the schemas, so the source is a folder of the
 * registry's schemas as AWS publishes them: unzip the CloudformationSchema.zip of a region, or take
 * a copy that keeps them whole, and name it:
 *
 *   npm run generate:handler-permissions -- --from DIR --source "what DIR is, with its version"
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { matrixResourceTypes } from '../../test/support/template-matrix';

const here = dirname(fileURLToPath(import.meta.url));
const output = join(here, '../../src/local/cloudformation/schemas/handler-permissions.json');
/** What CloudFormation calls for a stack's resources; `list` serves Cloud Control's ListResources only. */
const ACTIONS = ['create', 'read', 'update', 'delete'] as const;

interface RegistrySchema {
  typeName?: string;
  handlers?: Partial<Record<string, { permissions?: string[] }>>;
}

function generate(): void {
  const { values } = parseArgs({ options: { from: { type: 'string' }, source: { type: 'string' } } });
  if (!values.from || !values.source) {
    throw new Error(
      'usage: generate-handler-permissions.ts --from DIR --source "what DIR is, with its version"',
    );
  }
  const schemas = new Map<string, RegistrySchema>();
  for (const file of readdirSync(values.from).filter((name) => name.endsWith('.json'))) {
    const schema = JSON.parse(readFileSync(join(values.from, file), 'utf8')) as RegistrySchema;
    if (schema.typeName) schemas.set(schema.typeName, schema);
  }
  const types: Record<string, Record<string, string[]>> = {};
  const unpublished: string[] = [];
  for (const type of matrixResourceTypes()) {
    const handlers = schemas.get(type)?.handlers;
    if (!handlers) {
      unpublished.push(type);
      continue;
    }
    types[type] = Object.fromEntries(
      ACTIONS.map((action) => [action, [...new Set(handlers[action]?.permissions ?? [])].sort()]),
    );
  }
  const file = {
    source: values.source,
    generatedBy:
      'npm run generate:handler-permissions -- --from DIR --source … (scripts/aws-data/generate-handler-permissions.ts)',
    /** Types whose schema publishes no handlers (their provider predates the registry's handlers). */
    unpublished,
    types,
  };
  writeFileSync(output, `${JSON.stringify(file, null, 1)}\n`);
  const actions = new Set(Object.values(types).flatMap((byAction) => Object.values(byAction).flat()));
  console.log(
    `${output}: ${Object.keys(types).length} types, ${actions.size} actions; unpublished: ${unpublished.join(', ')}`,
  );
}

generate();
