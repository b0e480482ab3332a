import { stackDescription, stackEvent } from '../cloud/cloudformation-shapes';
import type { StackPort, StackRequest, TargetAccount } from '../cloud/ports';
import { CloudError } from '../cloud/errors';
import { templateLocation } from '../cloud/template-bucket';
import { isCloudFormationError, type LocalCloudFormation } from './cloudformation';
import type { LocalS3 } from './s3';

const stackInput = (request: StackRequest, templateUrl: string) => ({
  StackName: request.stackName,
  TemplateURL: templateUrl,
  Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
  Capabilities: ['CAPABILITY_IAM' as const, 'CAPABILITY_NAMED_IAM' as const],
  ClientRequestToken: request.clientRequestToken,
});

/**
 * The StackPort over the simulated CloudFormation. The customer's role is simulated: every target
 * account is this machine, told apart only by region. Templates go through the S3 stand-in by URL,
 * exactly as the AWS adapter sends them (src/cloud/aws/stacks.ts).
 */
export class LocalStackPort implements StackPort {
  constructor(
    private readonly cfn: LocalCloudFormation,
    private readonly s3: LocalS3,
  ) {}

  /** The AWS adapter's steps: put; on NoSuchBucket make the account's bucket, put again. */
  private uploadTemplate(target: TargetAccount, request: StackRequest): string {
    const location = templateLocation(target, request.stackName, request.clientRequestToken);
    const put = () =>
      this.s3.putObject({
        bucket: location.bucket,
        key: location.key,
        body: request.templateBody,
        expectedOwner: location.accountId,
      });
    try {
      put();
    } catch (error) {
      if (!(error instanceof Error && error.name === 'NoSuchBucket')) throw error;
      this.s3.createBucket(location.bucket, location.accountId);
      put();
    }
    return location.url;
  }

  async create(target: TargetAccount, request: StackRequest) {
    const templateUrl = this.uploadTemplate(target, request);
    try {
      const out = await this.cfn.createStack(stackInput(request, templateUrl), target.region);
      return { stackId: out.StackId ?? '' };
    } catch (error) {
      if (isCloudFormationError(error, 'AlreadyExistsException')) {
        throw new CloudError('StackExists', `stack ${request.stackName} already exists`);
      }
      throw error;
    }
  }

  async update(target: TargetAccount, request: StackRequest) {
    const templateUrl = this.uploadTemplate(target, request);
    await this.cfn.updateStack(stackInput(request, templateUrl), target.region);
  }

  async delete(target: TargetAccount, stackName: string, clientRequestToken: string) {
    await this.cfn.deleteStack(
      { StackName: stackName, ClientRequestToken: clientRequestToken },
      target.region,
    );
  }

  async continueUpdateRollback(target: TargetAccount, stackName: string, clientRequestToken: string) {
    await this.cfn.continueUpdateRollback(
      { StackName: stackName, ClientRequestToken: clientRequestToken },
      target.region,
    );
  }

  async describe(target: TargetAccount, stackName: string) {
    try {
      const out = await this.cfn.describeStacks({ StackName: stackName }, target.region);
      const stack = out.Stacks?.[0];
      return stack ? stackDescription(stack) : undefined;
    } catch (error) {
      if (isCloudFormationError(error, 'ValidationError')) return undefined;
      throw error;
    }
  }

  async listEvents(target: TargetAccount, stackName: string, nextToken?: string) {
    try {
      const out = await this.cfn.describeStackEvents(
        { StackName: stackName, NextToken: nextToken },
        target.region,
      );
      const events = (out.StackEvents ?? []).map((e) => stackEvent(e, stackName));
      return { events, ...(out.NextToken ? { nextToken: out.NextToken } : {}) };
    } catch (error) {
      if (isCloudFormationError(error, 'ValidationError')) return { events: [] };
      throw error;
    }
  }
}
