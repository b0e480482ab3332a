import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  PipelineNotFoundException,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { assumedRoles, freshClock, grantCredentials, sts } from './sts-fakes';

const { pipelines } = await import('../../../src/cloud/aws/pipelines');
const { platformSecrets } = await import('../../../src/cloud/aws/platform-secrets');

const codePipeline = mockClient(CodePipelineClient);
const secretsManager = mockClient(SecretsManagerClient);
const target = {
  roleArn: 'arn:aws:iam::444455556666:role/tinystacks',
  region: 'eu-west-1',
  externalId: 'ext-1',
};

beforeEach(() => {
  sts.reset();
  codePipeline.reset();
  secretsManager.reset();
  freshClock();
  grantCredentials();
});
afterEach(() => jest.restoreAllMocks());

describe('the CodePipeline adapter', () => {
  test('starts the pipeline on the commit (source revision override), once per run, in the customer’s account', async () => {
    // Prepare
    codePipeline.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'exec-1' });

    // Act
    const started = await pipelines.start(target, 'tinystacks-stk_1', {
      commitSha: 'a'.repeat(40),
      clientRequestToken: 'run_1',
    });

    // Assess
    expect(started).toEqual({ executionId: 'exec-1' });
    expect(codePipeline.commandCalls(StartPipelineExecutionCommand)[0]!.args[0].input).toEqual({
      name: 'tinystacks-stk_1',
      clientRequestToken: 'run_1',
      sourceRevisions: [{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: 'a'.repeat(40) }],
    });
    expect(assumedRoles().map((r) => r.ExternalId)).toContain('ext-1');
  });

  test('without a commit, builds the branch head; a missing pipeline is named as such', async () => {
    // Prepare
    codePipeline
      .on(StartPipelineExecutionCommand)
      .rejects(new PipelineNotFoundException({ message: 'no such pipeline', $metadata: {} }));

    // Act
    const error = await pipelines
      .start(target, 'tinystacks-stk_2', { clientRequestToken: 'run_2' })
      .catch((e: Error) => e);

    // Assess
    expect(
      codePipeline.commandCalls(StartPipelineExecutionCommand)[0]!.args[0].input.sourceRevisions,
    ).toBeUndefined();
    expect((error as Error).name).toBe('PipelineNotFound');
  });

  test('reads an execution back: its status, the commit its source fetched, the reason it failed', async () => {
    // Prepare
    codePipeline.on(GetPipelineExecutionCommand).resolves({
      pipelineExecution: {
        status: 'Failed',
        statusSummary: 'CodeBuild: npm ci exited with 1',
        artifactRevisions: [{ name: 'Source', revisionId: 'b'.repeat(40) }],
      },
    });

    // Act
    const execution = await pipelines.getExecution(target, 'tinystacks-stk_1', 'exec-1');

    // Assess
    expect(execution).toEqual({
      executionId: 'exec-1',
      status: 'Failed',
      commitSha: 'b'.repeat(40),
      reason: 'CodeBuild: npm ci exited with 1',
    });
  });
});

describe('the platform secrets adapter', () => {
  test('a secret that does not exist reads as undefined (a webhook for an unknown stack is a 401, not a 500)', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));

    // Act
    const value = await platformSecrets.get('tinystacks/ci/webhooks/stk_x');

    // Assess
    expect(value).toBeUndefined();
  });
});
