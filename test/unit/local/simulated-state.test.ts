import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { body, bucketTemplate } from '../local-cloudformation/helpers';
import type { BusEvent } from '../../../src/local/bus';
import { LocalCloudFormation } from '../../../src/local/cloudformation';
import { LocalLogs } from '../../../src/local/logs';
import { LocalPipelines } from '../../../src/local/pipelines';
import { pipelineCfnStackNameOf, pipelineNameOf } from '../../../src/domain/pipeline';

/** The simulated CodePipeline and CloudWatch Logs with a state file: a restart finds what they held. */
describe('simulated services kept in the data folder', () => {
  let dir: string;
  const disposables: { dispose(): void }[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'simulated-'));
  });
  afterEach(() => {
    for (const item of disposables.splice(0)) item.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const target = { roleArn: 'arn:aws:iam::000000000000:role/x', region: 'us-east-1', externalId: 'x' };

  test('a build under way when the process stops ends at the next start, and is found with its token', async () => {
    // Prepare: the pipeline's stack exists; a build of 10 minutes starts, then the process goes
    const cfn = new LocalCloudFormation({ delayMs: 1, stateDir: join(dir, 'cloudformation') });
    disposables.push(cfn);
    const stackId = 'stk_01jn8jc080jdpw4jc4hepvfnvh';
    await cfn.createStack(
      { StackName: pipelineCfnStackNameOf(stackId), TemplateBody: body(bucketTemplate()) },
      'us-east-1',
    );
    await cfn.whenIdle();
    const file = join(dir, 'codepipeline.json');
    const before = new LocalPipelines({
      cfn,
      publish: () => undefined,
      buildDelayMs: 600_000,
      account: '000000000000',
      file,
    });
    disposables.push(before);
    const { executionId } = await before.start(target, pipelineNameOf(stackId), {
      commitSha: 'a'.repeat(40),
      clientRequestToken: 'run_1',
    });
    before.dispose();

    // Act
    const published: BusEvent[] = [];
    const after = new LocalPipelines({
      cfn,
      publish: (event) => void published.push(event),
      buildDelayMs: 20,
      account: '000000000000',
      file,
    });
    disposables.push(after);
    after.resume();
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Assess
    expect(published.map((event) => (event.detail as { state: string }).state)).toEqual(['SUCCEEDED']);
    expect(await after.getExecution(target, pipelineNameOf(stackId), executionId)).toMatchObject({
      status: 'Succeeded',
      commitSha: 'a'.repeat(40),
    });
    expect(await after.start(target, pipelineNameOf(stackId), { clientRequestToken: 'run_1' })).toEqual({
      executionId,
    });
  });

  test('log lines are read back; the file is compacted to the lines kept', async () => {
    // Prepare
    const file = join(dir, 'logs.jsonl');
    const before = new LocalLogs(file);
    for (let i = 0; i < 16_000; i++) before.append('/app', `line ${i}`);

    // Act
    const after = new LocalLogs(file);
    const { lines } = await after.read(undefined, '/app', { limit: 2 });

    // Assess: the last 5,000 are kept, and the file holds little more than that
    expect(lines.map((line) => line.message)).toEqual(['line 11000', 'line 11001']);
    expect(readFileSync(file, 'utf8').split('\n').length).toBeLessThan(16_000);
  });
});
