/**
 * Reads the data cfn-lint ships (AWS's resource-provider schemas per region, enums from the pricing
 * API) through its own Python package, and writes what a generator extracts as formatted JSON.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';

/** Runs Python with cfn-lint importable; `script` prints one JSON document. */
export function fromCfnLint<T>(script: string): T {
  const out = execFileSync('python3', ['-c', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out) as T;
}

/** e.g. `cfn-lint 1.51.0`: recorded in every generated file, so its source is known. */
export function cfnLintVersion(): string {
  return `cfn-lint ${fromCfnLint<string>(
    "import json; from importlib.metadata import version; print(json.dumps(version('cfn-lint')))",
  )}`;
}

/** Python that sets `data` to cfn-lint's data folder. */
export const CFN_LINT_DATA =
  'import cfnlint, json, os; data = os.path.join(os.path.dirname(cfnlint.__file__), "data")';

export async function writeJson(path: string, value: unknown): Promise<void> {
  const options = { ...(await resolveConfig(path)), parser: 'json', filepath: path };
  writeFileSync(path, await format(JSON.stringify(value), options));
  console.log(`wrote ${path}`);
}
