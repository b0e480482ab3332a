import {
  AlreadyExistsException,
  CloudFormationClient,
  ContinueUpdateRollbackCommand,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  UpdateStackCommand,
  type Capability,
} from '@aws-sdk/client-cloudformation';
import {
  changeSetError,
  changeSetInput,
  stackDescription,
  stackEvent,
  wholeChangeSet,
} from '../cloudformation-shapes';
import { CloudError } from '../errors';
import type { StackDescription, StackPort, StackRequest, TargetAccount } from '../ports';
import { BoundedCache, customerClient, MAX_CACHED } from './assume-role';
import { isThrottling } from './aws-errors';

/** Stage templates create the ECS task and execution roles. */
const CAPABILITIES: Capability[] = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'];

const clients = new BoundedCache<CloudFormationClient>(MAX_CACHED);

const cloudFormation = (target: TargetAccount) =>
  customerClient(clients, target, (config) => new CloudFormationClient(config));

/** Translates the errors the workflows act on; everything else keeps its own name and message. */
function mapped(error: unknown, stackName: string): unknown {
  if (error instanceof AlreadyExistsException)
    return new CloudError('StackExists', `stack ${stackName} already exists`);
  if (isThrottling(error))
    return new CloudError('Throttled', `CloudFormation throttled a call on ${stackName}`);
  return error;
}

async function call<T>(
  target: TargetAccount,
  stackName: string,
  run: (cfn: CloudFormationClient) => Promise<T>,
) {
  const cfn = await cloudFormation(target);
  try {
    return await run(cfn);
  } catch (error) {
    throw mapped(error, stackName);
  }
}

/** A change set call, its errors translated as the workflows need them (changeSetError). */
function changeSetCall<T>(
  target: TargetAccount,
  where: Parameters<typeof changeSetError>[1],
  run: (cfn: CloudFormationClient) => Promise<T>,
) {
  return call(target, where.stackName, async (cfn) => {
    try {
      return await run(cfn);
    } catch (error) {
      throw changeSetError(error, where);
    }
  });
}

/**
 * CloudFormation reports a missing stack as a plain `ValidationError` (no dedicated exception
 * class), and the only other ValidationError a single-name lookup can get is a malformed name,
 * which cannot exist either. So, without reading the message, any ValidationError from a lookup by
 * name means "no such stack".
 */
const isMissingStack = (error: unknown) => error instanceof Error && error.name === 'ValidationError';

const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** Templates go by URL (up to 1 MB), never inline (51,200 bytes): see src/cloud/template-bucket.ts. */
const stackInput = (request: StackRequest) => ({
  StackName: request.stackName,
  TemplateURL: request.templateUrl,
  Tags: tagList(request.tags),
  Capabilities: CAPABILITIES,
  ClientRequestToken: request.clientRequestToken,
});

export const stacks: StackPort = {
  create(target, request) {
    return call(target, request.stackName, async (cfn) => {
      // A failed create rolls back to ROLLBACK_COMPLETE, which the workflow deletes and reports.
      const out = await cfn.send(new CreateStackCommand({ ...stackInput(request), OnFailure: 'ROLLBACK' }));
      return { stackId: out.StackId ?? '' };
    });
  },

  update(target, request) {
    return call(target, request.stackName, async (cfn) => {
      await cfn.send(new UpdateStackCommand(stackInput(request)));
    });
  },

  delete(target, stackName, clientRequestToken) {
    return call(target, stackName, async (cfn) => {
      await cfn.send(
        new DeleteStackCommand({ StackName: stackName, ClientRequestToken: clientRequestToken }),
      );
    });
  },

  continueUpdateRollback(target, stackName, clientRequestToken) {
    return call(target, stackName, async (cfn) => {
      await cfn.send(
        new ContinueUpdateRollbackCommand({ StackName: stackName, ClientRequestToken: clientRequestToken }),
      );
    });
  },

  describe(target, stackName) {
    return call(target, stackName, async (cfn): Promise<StackDescription | undefined> => {
      try {
        const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
        const stack = out.Stacks?.[0];
        return stack ? stackDescription(stack) : undefined;
      } catch (error) {
        if (isMissingStack(error)) return undefined;
        throw error;
      }
    });
  },

  getTemplate(target, stackName) {
    return call(target, stackName, async (cfn) => {
      try {
        const out = await cfn.send(
          new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }),
        );
        return out.TemplateBody;
      } catch (error) {
        // Same reasoning as describe: the only ValidationError of a lookup by name is a missing stack.
        if (isMissingStack(error)) return undefined;
        throw error;
      }
    });
  },

  listEvents(target, stackName, nextToken) {
    return call(target, stackName, async (cfn) => {
      try {
        const out = await cfn.send(
          new DescribeStackEventsCommand({ StackName: stackName, NextToken: nextToken }),
        );
        const events = (out.StackEvents ?? []).map((e) => stackEvent(e, stackName));
        return { events, ...(out.NextToken ? { nextToken: out.NextToken } : {}) };
      } catch (error) {
        // Same reasoning as describe: a stack that was never created has no events yet.
        if (isMissingStack(error)) return { events: [] };
        throw error;
      }
    });
  },

  createChangeSet(target, request) {
    return changeSetCall(target, { ...request, byName: false }, async (cfn) => {
      const out = await cfn.send(new CreateChangeSetCommand(changeSetInput(request)));
      return { changeSetId: out.Id ?? '', stackId: out.StackId ?? '' };
    });
  },

  describeChangeSet(target, stackName, changeSetName) {
    return changeSetCall(target, { stackName, changeSetName, byName: true }, (cfn) =>
      wholeChangeSet((nextToken) =>
        cfn.send(
          new DescribeChangeSetCommand({
            StackName: stackName,
            ChangeSetName: changeSetName,
            NextToken: nextToken,
          }),
        ),
      ),
    );
  },

  executeChangeSet(target, stackName, changeSetName, clientRequestToken) {
    return changeSetCall(target, { stackName, changeSetName, byName: true }, async (cfn) => {
      await cfn.send(
        new ExecuteChangeSetCommand({
          StackName: stackName,
          ChangeSetName: changeSetName,
          ClientRequestToken: clientRequestToken,
        }),
      );
    });
  },

  async deleteChangeSet(target, stackName, changeSetName) {
    try {
      await changeSetCall(target, { stackName, changeSetName, byName: true }, async (cfn) => {
        await cfn.send(new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }));
      });
    } catch (error) {
      // Deleting is what a rejection or a retried cleanup wants: a change set already gone is done.
      if (!(error instanceof CloudError && error.name === 'ChangeSetGone')) throw error;
    }
  },
};
