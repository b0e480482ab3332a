/**
 * The RDS instance classes Postgres and MySQL can run on, and the ElastiCache node types, in each
 * region: the enums cfn-lint generates from the AWS Pricing API
 * (data/schemas/extensions/aws_rds_dbinstance/dbinstanceclass_enum.json,
 * aws_elasticache_cachecluster/cachenodetype_enum.json).
 *
 *   npm run generate:instance-classes   →  src/domain/data/instance-classes.json
 *
 * One sorted list of RDS classes (Postgres's and MySQL's together) and one of ElastiCache node
 * types; per engine and region, a bitmask over its list, each distinct one kept once, so that 38
 * regions × 270 classes take a few kilobytes instead of a few hundred (the file is bundled in the
 * API functions that validate a database).
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

/** A region's classes as a bitmask over the engine's list (bit i: byte i >> 3, bit i & 7), base64url. */
function mask(classes: string[], offered: string[]): string {
  const bits = Buffer.alloc(Math.ceil(classes.length / 8));
  for (const name of offered) {
    const i = classes.indexOf(name);
    bits[i >> 3]! |= 1 << (i & 7);
  }
  return bits.toString('base64url');
}

/** `db.m5.large db.m5.xlarge db.m6g.large` → `db.m5:large,xlarge db.m6g:large`. */
function grouped(classes: string[]): string {
  const families = new Map<string, string[]>();
  for (const name of classes) {
    const family = name.split('.').slice(0, 2).join('.');
    families.set(family, [...(families.get(family) ?? []), name.slice(family.length + 1)]);
  }
  return [...families].map(([family, sizes]) => `${family}:${sizes.join(',')}`).join(' ');
}

const engineByRegion = (engine: string) =>
  Object.fromEntries(
    Object.entries(rds)
      .filter(([, engines]) => engines[engine])
      .map(([region, engines]) => [region, engines[engine]!]),
  );

const postgres = engineByRegion('postgres');
const mysql = engineByRegion('mysql');
/** The order `grouped` writes them in, which the reader rebuilds the bitmask indexes from. */
const sortedUnion = (...byRegion: Record<string, string[]>[]) =>
  [...new Set(byRegion.flatMap((r) => Object.values(r).flat()))].sort();
const rdsClasses = sortedUnion(postgres, mysql);
const cacheClasses = sortedUnion(cache);
const regions = [...new Set([...Object.keys(postgres), ...Object.keys(mysql), ...Object.keys(cache)])].sort();

// Most regions share their mask with another engine or region: each distinct mask is kept once.
const masks: string[] = [];
const indexes = (classes: string[], byRegion: Record<string, string[]>) =>
  regions.map((region) => {
    if (!byRegion[region]) return -1;
    const encoded = mask(classes, byRegion[region]);
    if (!masks.includes(encoded)) masks.push(encoded);
    return masks.indexOf(encoded);
  });

const engines = {
  postgres: indexes(rdsClasses, postgres),
  mysql: indexes(rdsClasses, mysql),
  redis: indexes(cacheClasses, cache),
};

await writeJson(INSTANCE_CLASSES_FILE, {
  source: `${cfnLintVersion()}, data/schemas/extensions (from the AWS Pricing API)`,
  regenerate: 'npm run generate:instance-classes',
  format:
    'rdsClasses, cacheClasses: "family:size,size family:…", sorted; regions; per engine, for each region the index of its mask in masks (-1: no data), a mask being a base64url bitmask over the engine\'s classes (bit i = byte i>>3, bit i&7)',
  rdsClasses: grouped(rdsClasses),
  cacheClasses: grouped(cacheClasses),
  regions,
  masks,
  ...engines,
});
