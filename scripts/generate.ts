/**
 * `npm run generate`: writes what is generated from the code's own declarations and is committed:
 * the state machine definitions (statemachines/*.asl.json, from src/workflows), serverless.yml's
 * functions and roles (serverless/*.json, from src/deploy, src/api, src/tasks and src/events), each
 * HTTP unit's list of routes (src/api/units/), the OpenAPI document (src/api/openapi.json) and the
 * dashboard's API types (web/src/api/generated/schema.ts). A test checks that the committed files
 * equal what this writes; `npm run generate -- --check` says which differ.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { generatedFiles } from '../src/generate/files';

const check = process.argv.includes('--check');
let stale = 0;
for (const [file, text] of Object.entries(await generatedFiles())) {
  const url = new URL(`../${file}`, import.meta.url);
  let current: string | undefined;
  try {
    current = readFileSync(url, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) continue;
  stale += 1;
  if (check) console.error(`${file} is not what \`npm run generate\` writes`);
  else {
    mkdirSync(new URL('.', url), { recursive: true });
    writeFileSync(url, text);
    console.log(`wrote ${file}`);
  }
}
if (check && stale > 0) process.exit(1);
