import { pipelineCfnStackNameOf, pipelineNameOf } from '../../../src/domain/pipeline';
import { BUILDSPEC, renderPipelineTemplate } from '../../../src/templates/pipeline';
import { createAndWait, newCloudFormation, outputsOf } from '../local-cloudformation/helpers';

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
