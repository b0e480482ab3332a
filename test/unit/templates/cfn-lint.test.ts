import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { templateMatrix } from '../../support/template-matrix';

/**
 * Every template the workflows can render (test/support/template-matrix.ts) linted by cfn-lint:
 * AWS's resource provider schemas, property combinations, IAM policies. One cfn-lint run for all of
 * them (the packaged platform template is linted by `npm run package:check`, which makes it). Errors,
 * warnings and informational findings (I3011: every stateful resource says what happens to its
 * data) must all be zero, but for the findings listed in ACCEPTED with the reason.
 *
 * cfn-lint is a Python tool: on a machine without it the test says so and passes; CI has it, and
 * `.ci/run` fails where it is missing.
 */
const CFN_LINT = 'cfn-lint';
const REGIONS = ['us-east-1', 'eu-west-1'];

/** Findings reviewed and left as they are, with why (the README lists them too). None so far. */
const ACCEPTED: { rule: string; file: RegExp; why: string }[] = [];

interface Finding {
  Filename: string;
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
}

const available = spawnSync(CFN_LINT, ['--version'], { encoding: 'utf8' });
const lintable = available.status === 0;
if (!lintable) {
  console.warn(
    `cfn-lint test skipped: ${CFN_LINT} is not on the PATH (${available.error?.message ?? available.stderr}); ` +
      'install it with `pip install cfn-lint` to lint the templates (CI does)',
  );
}

(lintable ? describe : describe.skip)('cfn-lint on every template the workflows render', () => {
  const folder = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  test('finds nothing that is not reviewed and accepted', () => {
    // Prepare
    const files = templateMatrix().map(({ name, template }) => {
      const file = join(folder, `${name}.json`);
      writeFileSync(file, JSON.stringify(template, null, 1));
      return file;
    });

    // Act
    const run = spawnSync(
      CFN_LINT,
      ['--format', 'json', '--include-checks', 'I', '--regions', ...REGIONS, '--', ...files],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );

    // Assess
    expect(run.stderr).toBe('');
    const findings = JSON.parse(run.stdout || '[]') as Finding[];
    const unaccepted = findings
      .filter(
        (finding) =>
          !ACCEPTED.some(
            (accepted) => accepted.rule === finding.Rule.Id && accepted.file.test(finding.Filename),
          ),
      )
      .map(
        (finding) =>
          `${finding.Rule.Id} ${finding.Level} ${finding.Filename.replace(folder, '')} ${finding.Location.Path.join('/')}: ${finding.Message}`,
      );
    expect(unaccepted).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(37);
  });
});
