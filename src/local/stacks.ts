import type { StackEvent, StackPort, StackRequest, TargetAccount } from '../cloud/ports';
import { CloudError } from '../cloud/errors';
import type { LocalCloudFormation } from './cloudformation';
import { isCloudFormationError } from './cloudformation';

const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/**
 * The StackPort over the simulated CloudFormation. The customer's role is simulated: every target
 * account is this machine, told apart only by region.
 */
export class LocalStackPort implements StackPort {
  constructor(private readonly cfn: LocalCloudFormation) {}

  async create(target: TargetAccount, request: StackRequest) {
    try {
      const out = await this.cfn.createStack(
        {
          StackName: request.stackName,
          TemplateBody: request.templateBody,
          Tags: tagList(request.tags),
          Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
          ClientRequestToken: request.clientRequestToken,
        },
        target.region,
      );
      return { stackId: out.StackId ?? '' };
    } catch (error) {
      if (isCloudFormationError(error, 'AlreadyExistsException')) {
        throw new CloudError('StackExists', `stack ${request.stackName} already exists`);
      }
      throw error;
    }
  }

  async update(target: TargetAccount, request: StackRequest) {
    await this.cfn.updateStack(
      {
        StackName: request.stackName,
        TemplateBody: request.templateBody,
        Tags: tagList(request.tags),
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
        ClientRequestToken: request.clientRequestToken,
      },
      target.region,
    );
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
      if (!stack) return undefined;
      return {
        stackId: stack.StackId ?? '',
        status: stack.StackStatus ?? 'UNKNOWN',
        reason: stack.StackStatusReason ?? '',
        outputs: Object.fromEntries(
          (stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
        ),
      };
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
      const events: StackEvent[] = (out.StackEvents ?? []).map((e) => ({
        timestamp: (e.Timestamp ?? new Date()).toISOString(),
        stackName: e.StackName ?? stackName,
        logicalId: e.LogicalResourceId ?? '',
        resourceType: e.ResourceType ?? '',
        status: e.ResourceStatus ?? '',
        ...(e.ResourceStatusReason ? { reason: e.ResourceStatusReason } : {}),
      }));
      return { events, ...(out.NextToken ? { nextToken: out.NextToken } : {}) };
    } catch (error) {
      if (isCloudFormationError(error, 'ValidationError')) return { events: [] };
      throw error;
    }
  }
}
