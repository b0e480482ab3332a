export const SECTIONS = ['bundles', 'api', 'workflows', 'scale', 'dashboard', 'memory'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  sections: Section[];
  quick: boolean;
  /** Fresh-process loads per bundle (and as many of the baseline beside them). */
  initRuns: number;
  /** Only the functions whose name or file contains this. */
  bundleFilter?: string;
  /** Only the workflow cases whose name or workflow contains this. */
  workflowFilter?: string;
  /** Seconds of load per API measurement. */
  durationSeconds: number;
  connections: number;
  /** Where autocannon runs: its own process (default) or the server's. */
  httpGenerator: 'child' | 'inprocess';
  /** Total time of the slow simulated stack in the workflow section. */
  slowStackSeconds: number;
  fastStackSeconds: number;
  latencySamples: number;
  scaleStacks: number;
  scaleStagesPerStack: number;
  /** The scale section's runtime keeps its data in a fresh temporary folder, as `npm start` does. */
  scaleOnDisk: boolean;
  /** Exit non-zero when a target is missed (CI use). */
  strict: boolean;
}

const USAGE = `npm run bench -- [options]
  --only bundles,api,workflows,scale,dashboard,memory   run only these sections
  --quick                              a smoke run: fewer runs, 3 s loads, a 10 s "slow" stack
  --runs N                             fresh-process loads per bundle (default 15)
  --bundles TEXT                       only the functions whose name or file contains TEXT
  --workflows TEXT                     only the workflow cases whose name or workflow contains TEXT
  --duration S                         seconds per API load (default 10)
  --connections N                      concurrent requests (default 32)
  --http-generator child|inprocess     where autocannon runs (default child)
  --slow-stack S                       the slow stack's total seconds (default 60)
  --scale-on-disk                      the scale section's runtime keeps its data in a temporary folder
  --strict                             exit 1 when a target is missed`;

function positive(name: string, value: string | undefined, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw new Error(`${name} must be a number in (0, ${max}]`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const options: BenchOptions = {
    sections: [...SECTIONS],
    quick,
    initRuns: quick ? 5 : 15,
    durationSeconds: quick ? 3 : 10,
    connections: 32,
    httpGenerator: 'child',
    slowStackSeconds: quick ? 10 : 60,
    fastStackSeconds: 1,
    latencySamples: quick ? 20 : 60,
    scaleStacks: 20,
    scaleStagesPerStack: 5,
    scaleOnDisk: false,
    strict: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    switch (arg) {
      case '--quick':
        break;
      case '--strict':
        options.strict = true;
        break;
      case '--scale-on-disk':
        options.scaleOnDisk = true;
        break;
      case '--only': {
        const wanted = value().split(',');
        const unknown = wanted.filter((s) => !(SECTIONS as readonly string[]).includes(s));
        if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}\n${USAGE}`);
        options.sections = SECTIONS.filter((s) => wanted.includes(s));
        break;
      }
      case '--bundles':
        options.bundleFilter = value();
        break;
      case '--workflows':
        options.workflowFilter = value();
        break;
      case '--runs':
        options.initRuns = Math.round(positive(arg, value(), 200));
        break;
      case '--duration':
        options.durationSeconds = positive(arg, value(), 120);
        break;
      case '--connections':
        options.connections = Math.round(positive(arg, value(), 512));
        break;
      case '--http-generator': {
        const where = value();
        if (where !== 'child' && where !== 'inprocess') throw new Error(`${arg}: child or inprocess`);
        options.httpGenerator = where;
        break;
      }
      case '--slow-stack':
        options.slowStackSeconds = positive(arg, value(), 600);
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  return options;
}
