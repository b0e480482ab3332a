import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where the integration and end-to-end suites record AWS calls (one JSONL file per process). */
export const IAM_CALLS_FOLDER = join(ROOT, 'test-artifacts', 'iam-calls');
