import {
  changeSetError,
  changeSetInput,
  stackDescription,
  stackEvent,
  wholeChangeSet,
} from '../cloud/cloudformation-shapes';
import type { ChangeSetRequest, StackPort, StackRequest, TargetAccount } from '../cloud/ports';
import { CloudError } from '../cloud/errors';
import { isCloudFormationError, type LocalCloudFormation } from './cloudformation';

const stackInput = (request: StackRequest) => ({
  StackName: request.stackName,
  TemplateURL: request.templateUrl,
  Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
  Capabilities: ['CAPABILITY_IAM' as const, 'CAPABILITY_NAMED_IAM' as const],
  ClientRequestToken: request.clientRequestToken,
});

/**
 * The StackPort over the simulated CloudFormation. The customer's role is simulated: every target
 * account is this machine, told apart only by region. Templates come by URL from the S3 stand-in
 * (src/local/s3.ts), as on AWS.
 */
export class LocalStackPort implements StackPort {
  constructor(private readonly cfn: LocalCloudFormation) {}

  async create(target: TargetAccount, request: StackRequest) {
    try {
      const out = await this.cfn.createStack(stackInput(request), target.region);
      return { stackId: out.StackId ?? '' };
    } catch (error) {
      if (isCloudFormationError(error, 'AlreadyExistsException')) {
        throw new CloudError('StackExists', `stack ${request.stackName} already exists`);
      }
      throw error;
    }
  }

  async update(target: TargetAccount, request: StackRequest) {
    await this.cfn.updateStack(stackInput(request), target.region);
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

  async getTemplate(target: TargetAccount, stackName: string) {
    try {
      const out = await this.cfn.getTemplate({ StackName: stackName }, target.region);
      return out.TemplateBody;
    } catch (error) {
      if (isCloudFormationError(error, 'ValidationError')) return undefined;
      throw error;
    }
  }

  async createChangeSet(target: TargetAccount, request: ChangeSetRequest) {
    try {
      const out = await this.cfn.createChangeSet(changeSetInput(request), target.region);
      return { changeSetId: out.Id ?? '', stackId: out.StackId ?? '' };
    } catch (error) {
      throw changeSetError(error, { ...request, byName: false });
    }
  }

  async describeChangeSet(target: TargetAccount, stackName: string, changeSetName: string) {
    try {
      return await wholeChangeSet((nextToken) =>
        this.cfn.describeChangeSet(
          { StackName: stackName, ChangeSetName: changeSetName, NextToken: nextToken },
          target.region,
        ),
      );
    } catch (error) {
      throw changeSetError(error, { stackName, changeSetName, byName: true });
    }
  }

  async executeChangeSet(
    target: TargetAccount,
    stackName: string,
    changeSetName: string,
    clientRequestToken: string,
  ) {
    try {
      await this.cfn.executeChangeSet(
        { StackName: stackName, ChangeSetName: changeSetName, ClientRequestToken: clientRequestToken },
        target.region,
      );
    } catch (error) {
      throw changeSetError(error, { stackName, changeSetName, byName: true });
    }
  }

  async deleteChangeSet(target: TargetAccount, stackName: string, changeSetName: string) {
    try {
      await this.cfn.deleteChangeSet({ StackName: stackName, ChangeSetName: changeSetName }, target.region);
    } catch (error) {
      const mapped = changeSetError(error, { stackName, changeSetName, byName: true });
      // As on AWS (src/cloud/aws/stacks.ts): a change set already gone is deleted.
      if (!(mapped instanceof CloudError && mapped.name === 'ChangeSetGone')) throw mapped;
    }
  }
}
