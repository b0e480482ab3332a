import { imageUriOf, pipelineCfnStackNameOf, pipelineNameOf } from '../../../src/domain/pipeline';
import { LocalCloudFormation } from '../../../src/local/cloudformation';
import { SimulatedServices } from '../../../src/local/cloudformation/effects';
import { LocalPipelines } from '../../../src/local/pipelines';
import { BUILDSPEC, renderPipelineTemplate } from '../../../src/templates/pipeline';
import { renderStageTemplate } from '../../../src/templates/stage';
import type { CfnTemplate } from '../../../src/templates/types';
import {
  allEvents,
  createAndWait,
  newCloudFormation,
  outputsOf,
  REGION,
  stackStatuses,
} from '../local-cloudformation/helpers';

const input = {
  stackId: 'stk_01jn8jc080jdpw4jc4hepvfnvh',
  stackName: 'shop',
  repository: 'acme/shop',
  branch: 'main',
};

describe('the pipeline template', () => {
  test('is provisioned by the spec-validating CloudFormation simulator, with its outputs', async () => {
    // Prepare
    const { cfn } = newCloudFormation();

    // Act
    const stack = await createAndWait(
      cfn,
      pipelineCfnStackNameOf(input.stackId),
      renderPipelineTemplate(input) as never,
      {
        Capabilities: ['CAPABILITY_IAM'],
      },
    );

    // Assess
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const outputs = outputsOf(stack);
    expect(outputs.PipelineName).toBe(pipelineNameOf(input.stackId));
    expect(outputs.ImageRepositoryUri).toMatch(
      /^\d{12}\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/tinystacks\/stk_01jn8jc080jdpw4jc4hepvfnvh$/,
    );
    cfn.dispose();
  });

  test('never starts by itself, builds the repository and branch, and tags images with the commit', () => {
    // Act
    const template = renderPipelineTemplate(input);

    // Assess
    const pipeline = template.Resources.Pipeline!.Properties as {
      Stages: { Actions: { Configuration: Record<string, unknown> }[] }[];
    };
    expect(pipeline.Stages[0]!.Actions[0]!.Configuration).toMatchObject({
      FullRepositoryId: 'acme/shop',
      BranchName: 'main',
      DetectChanges: false,
    });
    expect(BUILDSPEC).toContain('IMAGE_TAG="$CODEBUILD_RESOLVED_SOURCE_VERSION"');
  });

  test('its stack name cannot collide with a stage stack, even of a stage named "pipeline"', () => {
    expect(pipelineCfnStackNameOf(input.stackId)).toBe('tinystacks-stk-01jn8jc080jdpw4jc4hepvfnvh--pipeline');
  });
});

describe('what a pipeline builds, where it runs, and what its deletion keeps', () => {
  const STAGE = {
    stackId: input.stackId,
    stackName: 'shop',
    stageName: 'dev',
    region: REGION,
    port: 80,
    loadBalancer: false,
    environment: {},
    origins: ['http://localhost'],
    deploymentId: 'op_1',
  };

  async function built(cfn: LocalCloudFormation, services: SimulatedServices, stackId: string) {
    const stack = await createAndWait(
      cfn,
      pipelineCfnStackNameOf(stackId),
      renderPipelineTemplate({ ...input, stackId }) as never,
      { Capabilities: ['CAPABILITY_IAM'] },
    );
    const image = services.recordBuild(pipelineNameOf(stackId), 'c0ffee', true);
    expect(image).toBe(imageUriOf(outputsOf(stack).ImageRepositoryUri!, 'c0ffee'));
    return image!;
  }

  test.each([
    ['as built (ARM64)', 'CREATE_COMPLETE', (_: CfnTemplate) => undefined],
    [
      'without a RuntimePlatform (Fargate runs X86_64)',
      'ROLLBACK_COMPLETE',
      (template: CfnTemplate) => delete template.Resources.TaskDefinition!.Properties!.RuntimePlatform,
    ],
  ])('a pipeline-built image on a stage %s: %s', async (_, status, change) => {
    // Prepare
    const services = new SimulatedServices();
    const cfn = new LocalCloudFormation({ delayMs: 1, effects: services });
    const image = await built(cfn, services, `stk_arch${status.length}`);
    const template = renderStageTemplate({ ...STAGE, imageUri: image });
    change(template);

    // Act
    const stack = await createAndWait(cfn, `stage-${status.length}`, template as never, {
      Capabilities: ['CAPABILITY_IAM'],
    });

    // Assess
    expect(services.images.get(image)).toEqual(['arm64']);
    expect(stack.StackStatus).toBe(status);
    if (status === 'ROLLBACK_COMPLETE') {
      const failed = (await allEvents(cfn, `stage-${status.length}`)).find(
        (event) => event.ResourceStatus === 'CREATE_FAILED',
      );
      expect(failed).toMatchObject({
        LogicalResourceId: 'Service',
        ResourceStatusReason: expect.stringContaining(
          "image Manifest does not contain descriptor matching platform 'linux/amd64'",
        ),
      });
    }
    cfn.dispose();
  });

  test('builds on the architecture the tasks run on', () => {
    // Act
    const pipeline = renderPipelineTemplate(input);
    const stage = renderStageTemplate({ ...STAGE, imageUri: 'public.ecr.aws/nginx/nginx:stable-alpine' });

    // Assess
    expect(pipeline.Resources.BuildProject!.Properties!.Environment).toMatchObject({
      Type: 'ARM_CONTAINER',
      Image: expect.stringContaining('aarch64'),
    });
    expect(stage.Resources.TaskDefinition!.Properties!.RuntimePlatform).toEqual({
      CpuArchitecture: 'ARM64',
      OperatingSystemFamily: 'LINUX',
    });
  });

  test.each([
    ['as rendered (Retain)', 'DELETE_COMPLETE', (_: CfnTemplate) => undefined],
    [
      'without a DeletionPolicy',
      'DELETE_FAILED',
      (template: CfnTemplate) => delete template.Resources.ArtifactBucket!.DeletionPolicy,
    ],
  ])('deleting a pipeline that ran, its artifact bucket %s: %s', async (_, status, change) => {
    // Prepare
    const services = new SimulatedServices();
    const cfn = new LocalCloudFormation({ delayMs: 1, effects: services });
    const stackId = `stk_del${status.length}`;
    const template = renderPipelineTemplate({ ...input, stackId });
    change(template);
    const { StackId } = await createAndWait(cfn, pipelineCfnStackNameOf(stackId), template as never, {
      Capabilities: ['CAPABILITY_IAM'],
    });
    services.recordBuild(pipelineNameOf(stackId), 'c0ffee', true);

    // Act
    await cfn.deleteStack({ StackName: pipelineCfnStackNameOf(stackId) }, REGION);
    await cfn.whenIdle();

    // Assess
    const events = await allEvents(cfn, StackId!);
    expect(stackStatuses(events).at(-1)).toBe(status);
    const bucket = events.filter((event) => event.LogicalResourceId === 'ArtifactBucket').at(-1);
    expect(bucket).toMatchObject(
      status === 'DELETE_COMPLETE'
        ? { ResourceStatus: 'DELETE_SKIPPED' }
        : {
            ResourceStatus: 'DELETE_FAILED',
            ResourceStatusReason: expect.stringContaining('The bucket you tried to delete is not empty'),
          },
    );
    cfn.dispose();
  });

  /** Builds `commit` twice on the simulated CodePipeline; returns how each build ended. */
  async function buildTwice(template: CfnTemplate, stackId: string, commit: string) {
    const services = new SimulatedServices();
    const cfn = new LocalCloudFormation({ delayMs: 1, effects: services });
    await createAndWait(cfn, pipelineCfnStackNameOf(stackId), template as never, {
      Capabilities: ['CAPABILITY_IAM'],
    });
    const builds = new LocalPipelines({ cfn, publish: () => {}, buildDelayMs: 1, account: '0', services });
    const target = { roleArn: 'arn:aws:iam::000000000000:role/r', region: REGION, externalId: 'x' };
    const ends = [];
    for (const token of ['run-1', 'run-2']) {
      const { executionId } = await builds.start(target, pipelineNameOf(stackId), {
        commitSha: commit,
        clientRequestToken: token,
      });
      let execution = await builds.getExecution(target, pipelineNameOf(stackId), executionId);
      while (execution.status === 'InProgress') {
        await new Promise((r) => setTimeout(r, 5));
        execution = await builds.getExecution(target, pipelineNameOf(stackId), executionId);
      }
      ends.push(execution);
    }
    builds.dispose();
    cfn.dispose();
    return { ends, services };
  }

  test('a second build of a commit fails at its push: the repository is IMMUTABLE, as ECR refuses the tag', async () => {
    // Prepare
    const stackId = 'stk_01jn8jc080jdpw4jc4hepvfnv1';
    const commit = 'a'.repeat(40);

    // Act
    const { ends, services } = await buildTwice(
      renderPipelineTemplate({ ...input, stackId }),
      stackId,
      commit,
    );

    // Assess
    expect(ends.map((e) => e.status)).toEqual(['Succeeded', 'Failed']);
    expect(ends[1]!.reason).toMatch(
      new RegExp(
        `tag invalid: The image tag '${commit}' already exists in the 'tinystacks/${stackId}' repository.*ImageTagAlreadyExistsException`,
      ),
    );
    expect([...services.images.keys()].filter((image) => image.endsWith(`:${commit}`))).toHaveLength(1);
  });

  test('a MUTABLE repository takes the same tag again (the refusal is the repository’s, not the simulator’s)', async () => {
    // Prepare
    const stackId = 'stk_01jn8jc080jdpw4jc4hepvfnv2';
    const template = renderPipelineTemplate({ ...input, stackId });
    template.Resources.ImageRepository!.Properties!.ImageTagMutability = 'MUTABLE';

    // Act
    const { ends } = await buildTwice(template, stackId, 'b'.repeat(40));

    // Assess
    expect(ends.map((e) => e.status)).toEqual(['Succeeded', 'Succeeded']);
  });

  test.each([
    ['as rendered (EmptyOnDelete)', 'DELETE_COMPLETE', (_: CfnTemplate) => undefined],
    [
      'without EmptyOnDelete',
      'DELETE_FAILED',
      (template: CfnTemplate) => delete template.Resources.ImageRepository!.Properties!.EmptyOnDelete,
    ],
  ])('deleting a pipeline whose repository holds images, %s: %s', async (_, status, change) => {
    // Prepare
    const services = new SimulatedServices();
    const cfn = new LocalCloudFormation({ delayMs: 1, effects: services });
    const stackId = `stk_ecr${status.length}`;
    const template = renderPipelineTemplate({ ...input, stackId });
    change(template);
    const { StackId } = await createAndWait(cfn, pipelineCfnStackNameOf(stackId), template as never, {
      Capabilities: ['CAPABILITY_IAM'],
    });
    const image = services.recordBuild(pipelineNameOf(stackId), 'c0ffee', true)!;

    // Act
    await cfn.deleteStack({ StackName: pipelineCfnStackNameOf(stackId) }, REGION);
    await cfn.whenIdle();

    // Assess
    const events = await allEvents(cfn, StackId!);
    expect(stackStatuses(events).at(-1)).toBe(status);
    const repository = events.filter((event) => event.LogicalResourceId === 'ImageRepository').at(-1);
    if (status === 'DELETE_COMPLETE') {
      expect(repository).toMatchObject({ ResourceStatus: 'DELETE_COMPLETE' });
      expect(services.images.has(image)).toBe(false);
    } else {
      expect(repository).toMatchObject({
        ResourceStatus: 'DELETE_FAILED',
        ResourceStatusReason: expect.stringContaining('RepositoryNotEmptyException'),
      });
      expect(services.images.has(image)).toBe(true);
    }
    cfn.dispose();
  });
});
