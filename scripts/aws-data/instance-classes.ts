/**
 * The RDS instance classes Postgres and MySQL can run on, and the ElastiCache node types, in each
 * region: the enums cfn-lint generates from the AWS Pricing API
 * (data/schemas/extensions/aws_rds_dbinstance/dbinstanceclass_enum.json,
 * aws_elasticache_cachecluster/cachenodetype_enum.json).
 *
 *   npx tsx scripts/aws-data/instance-classes.ts   →  src/domain/data/instance-classes.json
 *
 * Per engine: `classes`, every class offered in some region, sorted; `regions`, per region a
 * bitmask over `classes` (bit i of byte i >> 3, least significant first), base64url, so that 38
 * regions × 270 classes take a few kilobytes instead of a few hundred.
 */
import { CFN_LINT_DATA, cfnLintVersion, fromCfnLint, writeJson } from './cfn-lint-data';

export const INSTANCE_CLASSES_FILE = 'src/domain/data/instance-classes.json';

/** region → engine → classes, for the engines TinyStacks runs (any license model). */
const rds = fromCfnLint<Record<string, Record<string, string[]>>>(`
${CFN_LINT_DATA}
enums = json.load(open(os.path.join(data, "schemas/extensions/aws_rds_dbinstance/dbinstanceclass_enum.json")))
out = {}
for region, schema in enums.items():
    if not isinstance(schema, dict):
        continue
    for rule in schema.get("allOf", []):
        engine = rule["if"]["properties"]["Engine"].get("const")
        if engine in ("postgres", "mysql"):
            classes = rule["then"]["properties"]["DBInstanceClass"]["enum"]
            out.setdefault(region, {}).setdefault(engine, set()).update(classes)
print(json.dumps({r: {e: sorted(c) for e, c in engines.items()} for r, engines in out.items()}))
`);

/** region → node types. */
const cache = fromCfnLint<Record<string, string[]>>(`
${CFN_LINT_DATA}
enums = json.load(open(os.path.join(data, "schemas/extensions/aws_elasticache_cachecluster/cachenodetype_enum.json")))
print(json.dumps({r: sorted(s["enum"]) for r, s in enums.items() if isinstance(s, dict) and "enum" in s}))
`);

function encode(byRegion: Record<string, string[]>) {
  const classes = [...new Set(Object.values(byRegion).flat())].sort();
  const index = new Map(classes.map((name, i) => [name, i]));
  const regions: Record<string, string> = {};
  for (const region of Object.keys(byRegion).sort()) {
    const bits = Buffer.alloc(Math.ceil(classes.length / 8));
    for (const name of byRegion[region]!) {
      const i = index.get(name)!;
      bits[i >> 3]! |= 1 << (i & 7);
    }
    regions[region] = bits.toString('base64url');
  }
  return { classes, regions };
}

const engineByRegion = (engine: string) =>
  Object.fromEntries(
    Object.entries(rds)
      .filter(([, engines]) => engines[engine])
      .map(([region, engines]) => [region, engines[engine]!]),
  );

await writeJson(INSTANCE_CLASSES_FILE, {
  source: `${cfnLintVersion()}, data/schemas/extensions (from the AWS Pricing API)`,
  regenerate: 'npx tsx scripts/aws-data/instance-classes.ts',
  format:
    'per engine: classes offered somewhere; per region a base64url bitmask over classes, bit i = byte i>>3, bit i&7',
  postgres: encode(engineByRegion('postgres')),
  mysql: encode(engineByRegion('mysql')),
  redis: encode(cache),
});
