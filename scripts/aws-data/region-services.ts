/**
 * Which regions offer the resource types TinyStacks's templates declare, from the per-region lists
 * of CloudFormation resource types that cfn-lint ships (data/schemas/providers/<region>.py, taken
 * from each region's CloudFormation registry).
 *
 *   npm run generate:region-services   →  src/domain/data/region-services.json
 *
 * Only the types some region lacks are listed (with the regions that lack them), which keeps the
 * file small; `regions` is every region the data covers.
 */
import { CFN_LINT_DATA, cfnLintVersion, fromCfnLint, writeJson } from './cfn-lint-data';
import { featureResourceTypes } from './feature-templates';

export const REGION_SERVICES_FILE = 'src/domain/data/region-services.json';

const typesByRegion = fromCfnLint<Record<string, string[]>>(`
${CFN_LINT_DATA}
import importlib, pkgutil
import cfnlint.data.schemas.providers as providers
out = {}
for module in pkgutil.iter_modules(providers.__path__):
    types = importlib.import_module(f"cfnlint.data.schemas.providers.{module.name}").types
    out[module.name.replace("_", "-")] = sorted(types)
print(json.dumps(out))
`);

const features = featureResourceTypes();
const needed = [...new Set(Object.values(features).flat())].sort();
const regions = Object.keys(typesByRegion).sort();
const unavailable: Record<string, string[]> = {};
for (const type of needed) {
  const lacking = regions.filter((region) => !typesByRegion[region]!.includes(type));
  if (lacking.length === regions.length) throw new Error(`${type} is in no region: is its name right?`);
  if (lacking.length > 0) unavailable[type] = lacking;
}

await writeJson(REGION_SERVICES_FILE, {
  source: `${cfnLintVersion()}, data/schemas/providers (each region's CloudFormation resource types)`,
  regenerate: 'npm run generate:region-services',
  regions,
  features,
  unavailable,
});
