import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
// `yaml` arrives through asl-validator (a devDependency); the one other YAML reader here, osls, reads
// serverless.yml only as a whole framework. See bench/PERFORMANCE.md.
import { parse } from 'yaml';

const CFN_TAGS = ['Ref', 'GetAtt', 'Sub', 'Join', 'If', 'Select', 'Split', 'ImportValue', 'FindInMap'];
const CFN_TAGS_MORE = ['Base64', 'GetAZs', 'Equals', 'Not', 'And', 'Or', 'Condition', 'Cidr'];

interface ServerlessYml {
  service?: string;
  params?: Record<string, Record<string, unknown> | undefined>;
  provider?: { runtime?: string; environment?: Record<string, unknown> };
  custom?: { esbuild?: Record<string, unknown> };
  functions?: Record<string, { handler?: string; environment?: Record<string, unknown> }>;
}

/** serverless.yml, with its `${file(./….json)}` sections (the generated functions) read in. */
export function readServerlessYml(root: string): ServerlessYml {
  const file = join(root, 'serverless.yml');
  if (!existsSync(file)) return {};
  const yml = parseYml(readFileSync(file, 'utf8'));
  const included = /^\$\{file\((.+\.json)\)\}$/.exec(String(yml.functions ?? ''));
  if (included)
    yml.functions = JSON.parse(readFileSync(join(root, included[1]!), 'utf8')) as ServerlessYml['functions'];
  return yml;
}

function parseYml(text: string): ServerlessYml {
  return parse(text, {
    logLevel: 'error',
    // CloudFormation's short forms; only their presence matters here, not their values.
    customTags: [...CFN_TAGS, ...CFN_TAGS_MORE].map((tag) => ({
      tag: `!${tag}`,
      resolve: (value: unknown) => ({ [`Fn::${tag}`]: value }),
    })),
  }) as ServerlessYml;
}

/** serverless-esbuild's own options, which it removes before calling esbuild (its bundle.js). */
const PLUGIN_ONLY = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'config',
];

const CREATE_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

export interface DeployedBuild {
  options: BuildOptions;
  outExtension: string;
  source: 'serverless.yml custom.esbuild' | 'defaults';
}

/**
 * The esbuild options serverless-esbuild would use on deploy: its defaults, the target from the
 * provider's runtime, then custom.esbuild, minus the plugin's own keys; `exclude` becomes external.
 */
export function deployedBuild(yml: ServerlessYml): DeployedBuild {
  const custom = yml.custom?.esbuild;
  if (custom && 'config' in custom)
    throw new Error('custom.esbuild.config (a JS config file) is not supported');
  const runtime = /^nodejs(\d+)\.x$/.exec(yml.provider?.runtime ?? '')?.[1];
  const merged: Record<string, unknown> = custom
    ? {
        bundle: true,
        platform: 'node',
        target: runtime ? `node${runtime}` : 'node24',
        exclude: ['aws-sdk'],
        ...custom,
      }
    : {
        bundle: true,
        minify: true,
        format: 'esm',
        platform: 'node',
        target: 'node24',
        mainFields: ['module', 'main'],
        exclude: [],
        outputFileExtension: '.mjs',
        banner: { js: CREATE_REQUIRE_BANNER },
      };
  const exclude = (merged.exclude as string[] | undefined) ?? [];
  const external = [
    ...((merged.external as string[] | undefined) ?? []),
    ...(exclude.includes('*') ? [] : exclude),
  ];
  const outExtension = (merged.outputFileExtension as string | undefined) ?? '.js';
  const options = Object.fromEntries(
    Object.entries(merged).filter(([key]) => !PLUGIN_ONLY.includes(key)),
  ) as BuildOptions;
  return {
    options: {
      ...options,
      external,
      ...(outExtension !== '.js' ? { outExtension: { '.js': outExtension } } : {}),
    },
    outExtension,
    source: custom ? 'serverless.yml custom.esbuild' : 'defaults',
  };
}

export interface FunctionEntry {
  /** The function's key in serverless.yml, or its file when serverless.yml does not list it. */
  name: string;
  file: string;
  inServerlessYml: boolean;
}

/** Every entry under functions/, named after serverless.yml where it is listed there. */
export function functionEntries(root: string, yml: ServerlessYml): FunctionEntry[] {
  const byFile = new Map<string, string>();
  for (const [name, fn] of Object.entries(yml.functions ?? {})) {
    const module = fn.handler?.replace(/\.[^./]+$/, '');
    if (module) byFile.set(`${module}.ts`, name);
  }
  const dir = join(root, 'functions');
  const files = existsSync(dir)
    ? (readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
        .map((f) => `functions/${f.split('\\').join('/')}`)
    : [];
  const all = new Set([...files, ...byFile.keys()]);
  return [...all].sort().map((file) => ({
    name: byFile.get(file) ?? file,
    file,
    inServerlessYml: byFile.has(file),
  }));
}

/**
 * Every variable a module may demand at load: the deployed environment (values resolved from the
 * default params where they are plain strings; required ones have none), and each requireEnv() or
 * `*_ARN` variable named in src/cloud/aws. What cannot be resolved gets a dummy of the right shape.
 */
export function loadTimeEnv(root: string, yml: ServerlessYml): Record<string, string> {
  const declared: Record<string, unknown> = { ...yml.provider?.environment };
  for (const fn of Object.values(yml.functions ?? {})) Object.assign(declared, fn.environment);
  const awsDir = join(root, 'src/cloud/aws');
  if (existsSync(awsDir)) {
    for (const file of readdirSync(awsDir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(awsDir, file), 'utf8');
      for (const m of text.matchAll(/requireEnv\(\s*'([A-Z0-9_]+)'/g)) declared[m[1]!] ??= undefined;
      for (const m of text.matchAll(/'([A-Z0-9_]+_ARN)'/g)) declared[m[1]!] ??= undefined;
    }
  }
  const params = { ...yml.params?.default };
  const resolve = (value: unknown): string | undefined => {
    if (typeof value !== 'string') return undefined;
    const text = value
      .replace(/\$\{param:(\w+)\}/g, (m, name: string) =>
        params[name] === undefined ? m : String(params[name]),
      )
      .replace(/\$\{self:service\}/g, yml.service ?? 'tinystacks')
      .replace(/\$\{sls:stage\}/g, 'ci');
    return text.includes('${') ? undefined : text;
  };
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(declared)) env[name] = resolve(value) ?? dummyValue(name);
  return {
    ...env,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    LOG_LEVEL: 'error',
  };
}

function dummyValue(name: string): string {
  if (name.includes('STATE_MACHINE')) return 'arn:aws:states:us-east-1:000000000000:stateMachine:bench';
  if (name.includes('EVENT_BUS') && name.endsWith('_ARN'))
    return 'arn:aws:events:us-east-1:000000000000:event-bus/bench';
  if (name.endsWith('_ARN')) return 'arn:aws:iam::000000000000:role/bench';
  if (name.includes('QUEUE_URL')) return 'https://sqs.us-east-1.amazonaws.com/000000000000/bench';
  if (name.endsWith('_URL')) return 'https://bench.example.com';
  if (name.endsWith('_URI')) return 'public.ecr.aws/nginx/nginx:stable-alpine';
  if (name.endsWith('_KEY')) return Buffer.alloc(32, 1).toString('base64');
  if (name === 'TABLE_NAME' || name.endsWith('_NAME')) return 'bench';
  return 'bench';
}
