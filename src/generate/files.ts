import * as prettier from 'prettier';
import { WORKFLOW_FILES, type WorkflowName } from '../domain/workflows';
import { serverlessFunctions, serverlessRoles } from './serverless';
import { unitRouteModules } from './unit-routes';
import { workflowDefinitions } from '../workflows';

/** JSON as the repository's formatter writes it, so a generated file reads like any other. */
async function formatted(value: unknown, file: string): Promise<string> {
  return pretty(JSON.stringify(value, null, 2), file, 'json');
}

async function pretty(text: string, file: string, parser: 'json' | 'typescript'): Promise<string> {
  const config = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...config, parser });
}

/** Every generated file, by its path in the repository, with the text it must hold. */
export async function generatedFiles(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const [name, file] of Object.entries(WORKFLOW_FILES) as [WorkflowName, string][]) {
    const path = `statemachines/${file}`;
    files[path] = await formatted(workflowDefinitions[name], path);
  }
  files['serverless/functions.json'] = await formatted(serverlessFunctions(), 'serverless/functions.json');
  files['serverless/roles.json'] = await formatted(serverlessRoles(), 'serverless/roles.json');
  for (const [path, text] of Object.entries(await unitRouteModules()))
    files[path] = await pretty(text, path, 'typescript');
  return files;
}
