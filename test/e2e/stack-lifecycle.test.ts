import { spawnSync } from 'node:child_process';
import { pipelineCfnStackNameOf } from '../../src/domain/pipeline';
import { newStack } from '../support/client';
import { startLocalServer, type LocalServer } from '../support/local-server';
import { eventually } from '../support/pipeline';

/**
 * `npm start` as the README's walk-throughs use it: a second push of a commit (`npm run webhook --
 * <stackId> --commit <sha>`) reuses the image built for the first (no build: the ECR repository is
 * IMMUTABLE); deleting the stack is an operation that ends SUCCEEDED once its pipeline stack is gone.
 */
let server: LocalServer;

beforeAll(async () => {
  server = await startLocalServer('stack-lifecycle', ['--build-delay', '200', '--stack-delay', '50']);
});
afterAll(async () => {
  await server?.dispose();
});

/** `npm run webhook -- <args>` against this server, as a user runs it from the repository folder. */
function webhook(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, TINYSTACKS_DATA_DIR: server.dataDir };
  delete env.PORT;
  delete env.TINYSTACKS_URL;
  return spawnSync('node_modules/.bin/tsx', ['src/local/cli/webhook.ts', ...args], { env, encoding: 'utf8' });
}

interface Run {
  runId: string;
  status: string;
  imageUri: string | null;
  commit: { sha: string | null };
  build: { status: string; pipelineExecutionId: string | null } | null;
}

const runEnd = (runId: string) =>
  eventually(
    async () => {
      const run = (await server.api.get<Run>(`/v1/runs/${runId}`)).body;
      return ['SUCCEEDED', 'FAILED'].includes(run.status) ? run : undefined;
    },
    `run ${runId}`,
    60_000,
  );

test('a second push of a commit reuses its image (no build); deleting the stack ends SUCCEEDED, its pipeline stack gone', async () => {
  // Prepare: a stack, its pipeline ACTIVE, a stage
  const stack = await server.api.post<{ stackId: string }>('/v1/stacks', newStack('lifecycle'));
  const { stackId } = stack.body;
  await eventually(async () => {
    const body = (await server.api.get<{ pipeline: { status: string } }>(`/v1/stacks/${stackId}`)).body;
    return body.pipeline.status === 'ACTIVE' ? true : undefined;
  }, 'the pipeline');
  const stage = await server.api.post<{ operation: { operationId: string } }>(
    `/v1/stacks/${stackId}/stages`,
    {
      name: 'dev',
    },
  );
  expect((await server.api.operationEnd(stage.body.operation.operationId, 60_000)).status).toBe('SUCCEEDED');
  const sha = '1234567890abcdef1234567890abcdef12345678';

  // Act: the same commit pushed twice
  const first = webhook([stackId, '--commit', sha]);
  const firstRun = await runEnd(/"runId":"(run_\w+)"/.exec(first.stdout)![1]!);
  const second = webhook([stackId, '--commit', sha]);
  const secondRun = await runEnd(/"runId":"(run_\w+)"/.exec(second.stdout)![1]!);

  // Assess
  expect(first.stdout).toContain(`push of ${sha}`);
  expect(firstRun).toMatchObject({ status: 'SUCCEEDED', commit: { sha }, build: { status: 'BUILT' } });
  expect(secondRun).toMatchObject({
    status: 'SUCCEEDED',
    imageUri: firstRun.imageUri,
    build: { status: 'REUSED', pipelineExecutionId: null },
  });
  expect((await server.api.get<{ imageUri: string }>(`/v1/stacks/${stackId}/stages/dev`)).body.imageUri).toBe(
    firstRun.imageUri,
  );

  // Act: the stage, then the stack
  const stageDeletion = await server.api.delete<{ operation: { operationId: string } }>(
    `/v1/stacks/${stackId}/stages/dev`,
  );
  expect((await server.api.operationEnd(stageDeletion.body.operation.operationId, 60_000)).status).toBe(
    'SUCCEEDED',
  );
  const deletion = await server.api.delete<{ operation: { operationId: string; type: string } }>(
    `/v1/stacks/${stackId}`,
  );
  const deleting = await server.api.get<{ status: string }>(`/v1/stacks/${stackId}`);
  const ended = await server.api.operationEnd(deletion.body.operation.operationId, 60_000);

  // Assess
  expect(deletion.status).toBe(202);
  expect(deletion.body.operation.type).toBe('DELETE_STACK');
  expect(deleting.body.status).toBe('DELETING');
  expect(ended).toMatchObject({ status: 'SUCCEEDED', error: null });
  expect((await server.api.get(`/v1/stacks/${stackId}`)).status).toBe(404);
  const events = server.output();
  expect(events).toContain(pipelineCfnStackNameOf(stackId));
  expect(events).toMatch(new RegExp(`${pipelineCfnStackNameOf(stackId)}.*DELETE_COMPLETE`));
});
