/**
 * Jest setup (each test file): the integration and end-to-end suites record the AWS calls of the
 * runtime they drive, in-process or in the `npm start` they spawn (which inherits the variables),
 * for the package check's IAM proof (test/package/iam-proof.ts). Other suites record nothing.
 */
import { relative } from 'node:path';
import { expect } from '@jest/globals';
import { IAM_CALLS_FOLDER, ROOT } from './iam-calls';

const { testPath = '' } = expect.getState();
const file = relative(ROOT, testPath);
if (/^test\/(integration|e2e)\//.test(file)) {
  process.env.TINYSTACKS_IAM_RECORD = IAM_CALLS_FOLDER;
  process.env.TINYSTACKS_IAM_TEST = file;
  // Imported once the variable is set: the recorder reads it when it loads.
  const { iam } = await import('../../src/local/iam-recorder');
  iam.testName = () => `${file} › ${expect.getState().currentTestName ?? '(set-up)'}`;
} else {
  delete process.env.TINYSTACKS_IAM_RECORD;
}
