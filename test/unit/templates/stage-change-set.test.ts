import { CloudError } from '../../../src/cloud/errors';
import type { ResourceChange } from '../../../src/cloud/ports';
import { cfnStackNameOf } from '../../../src/domain/stage';
import { LocalCloudFormation } from '../../../src/local/cloudformation';
import { LocalS3 } from '../../../src/local/s3';
import { LocalStackPort } from '../../../src/local/stacks';
import { SERVICE } from '../../../src/templates/service';
import { renderStageTemplate } from '../../../src/templates/stage';
import type { StageTemplateInput } from '../../../src/templates/stage';

/**
 * What a promotion will change, as the approval will show it: a stage's real template rendered
 * twice, planned by the simulated CloudFormation through the StackPort, the template by URL from
 * the S3 stand-in, as the workflows pass it.
 */

const REGION = 'us-east-1';
const STACK_ID = 'stk_01hx3k9d0q7s8y4w2v6t5r1p0n';
const target = { roleArn: 'arn:aws:iam::123456789012:role/tinystacks', region: REGION, externalId: 'ext-1' };
const CAPABILITIES = ['CAPABILITY_IAM' as const, 'CAPABILITY_NAMED_IAM' as const];
const TAGS = { 'tinystacks:stack-id': STACK_ID, 'tinystacks:stage': 'prod' };

const s3 = new LocalS3();
const cfn = new LocalCloudFormation({ delayMs: 1, templateSource: (url) => s3.readUrl(url) });
const stacks = new LocalStackPort(cfn);
afterAll(() => cfn.dispose());

const stageInput = (stageName: string, overrides: Partial<StageTemplateInput> = {}): StageTemplateInput => ({
  stackId: STACK_ID,
  stackName: 'shop',
  stageName,
  region: REGION,
  port: 8080,
  loadBalancer: true,
  environment: { LOG_LEVEL: 'info', FEATURE_X: 'off' },
  origins: ['https://shop.example.com'],
  imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:aaaaaaa',
  deploymentId: 'op_1',
  ...overrides,
});

const templateUrl = (stackName: string, token: string, input: StageTemplateInput) =>
  s3.put(target, {
    stackName,
    clientRequestToken: token,
    templateBody: JSON.stringify(renderStageTemplate(input)),
  });

async function deployedStage(stageName: string) {
  const stackName = cfnStackNameOf(STACK_ID, stageName);
  const url = await templateUrl(stackName, 'op-1-create', stageInput(stageName));
  await stacks.create(target, { stackName, templateUrl: url, tags: TAGS, clientRequestToken: 'op-1-create' });
  await cfn.whenIdle();
  return stackName;
}

/** Plans the stage with `overrides` and waits for the plan, as a workflow polling it would. */
async function planned(stackName: string, stageName: string, overrides: Partial<StageTemplateInput>) {
  const url = await templateUrl(stackName, 'op-2-change-set', stageInput(stageName, overrides));
  const request = {
    stackName,
    changeSetName: 'approval-op-2',
    templateUrl: url,
    tags: TAGS,
    capabilities: CAPABILITIES,
    clientToken: 'op-2-change-set',
  };
  await stacks.createChangeSet(target, request);
  await cfn.whenIdle();
  return stacks.describeChangeSet(target, stackName, request.changeSetName);
}

const byLogicalId = (changes: ResourceChange[]) =>
  Object.fromEntries(changes.map((change) => [change.logicalId, change]));

describe('a stage promoted with a new image and a changed variable', () => {
  test('replaces the task definition and modifies the service, nothing else', async () => {
    // Prepare
    const stackName = await deployedStage('prod');

    // Act
    const changeSet = await planned(stackName, 'prod', {
      imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:bbbbbbb',
      environment: { LOG_LEVEL: 'debug', FEATURE_X: 'off' },
      deploymentId: 'op_2',
    });

    // Assess
    expect(changeSet).toMatchObject({
      status: 'CREATE_COMPLETE',
      executionStatus: 'AVAILABLE',
      noChanges: false,
    });
    const changes = byLogicalId(changeSet.changes);
    expect(Object.keys(changes).sort()).toEqual([SERVICE.service, SERVICE.taskDefinition].sort());
    // Every property of a task definition is create-only: a new revision replaces it.
    expect(changes[SERVICE.taskDefinition]).toEqual({
      logicalId: SERVICE.taskDefinition,
      physicalId: expect.stringMatching(/:task-definition\/.+:1$/),
      type: 'AWS::ECS::TaskDefinition',
      action: 'Modify',
      replacement: 'True',
      scope: ['Properties'],
      details: [
        {
          attribute: 'Properties',
          name: 'ContainerDefinitions',
          requiresRecreation: 'Always',
          evaluation: 'Static',
          changeSource: 'DirectModification',
        },
      ],
    });
    // The service takes the new revision in place (TaskDefinition is not create-only).
    expect(changes[SERVICE.service]).toMatchObject({
      type: 'AWS::ECS::Service',
      action: 'Modify',
      replacement: 'False',
      scope: ['Properties'],
      details: [
        {
          attribute: 'Properties',
          name: 'TaskDefinition',
          requiresRecreation: 'Never',
          evaluation: 'Dynamic',
          changeSource: 'ResourceReference',
          causingEntity: SERVICE.taskDefinition,
        },
      ],
    });
  });

  test('executing that very change set deploys it, under the execute token', async () => {
    // Prepare
    const stackName = await deployedStage('staging');
    const changeSet = await planned(stackName, 'staging', {
      imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:ccccccc',
      deploymentId: 'op_2',
    });

    // Act
    await stacks.executeChangeSet(target, stackName, 'approval-op-2', 'op-2-execute');
    await cfn.whenIdle();
    const again = stacks.executeChangeSet(target, stackName, 'approval-op-2', 'op-3-execute');

    // Assess
    expect((await stacks.describe(target, stackName))?.status).toBe('UPDATE_COMPLETE');
    expect((await stacks.describeChangeSet(target, stackName, 'approval-op-2')).executionStatus).toBe(
      'EXECUTE_COMPLETE',
    );
    const update = (await cfn.describeStackEvents({ StackName: stackName }, REGION)).StackEvents!.filter(
      (event) => event.ClientRequestToken === 'op-2-execute',
    );
    expect(update.at(-1)).toMatchObject({
      LogicalResourceId: stackName,
      ResourceStatus: 'UPDATE_IN_PROGRESS',
    });
    expect(
      update
        .filter(
          (event) =>
            event.LogicalResourceId === SERVICE.taskDefinition && event.ResourceStatus === 'UPDATE_COMPLETE',
        )
        .map((event) => event.PhysicalResourceId),
    ).toEqual([expect.stringMatching(/:task-definition\/.+:2$/)]);
    await expect(again).rejects.toEqual(
      new CloudError(
        'ChangeSetNotExecutable',
        `change set approval-op-2 of stack ${stackName}: ChangeSet [${changeSet.changeSetId}] cannot be executed in its current execution status of [EXECUTE_COMPLETE]`,
      ),
    );
  });
});
