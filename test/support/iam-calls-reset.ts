import { rmSync } from 'node:fs';
import { IAM_CALLS_FOLDER } from './iam-calls';

/** Jest global setup: the IAM proof reads the calls of the last jest run only. */
export default function resetIamCalls(): void {
  rmSync(IAM_CALLS_FOLDER, { recursive: true, force: true });
}
