import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { actionsEndedBy } from '../domain/stack-status';
import { keys } from './keys';

/**
 * A workflow waiting on a CloudFormation stack. The workflow registers the wait before it calls
 * CloudFormation; then two things arrive in either order: the task token (when the workflow parks)
 * and the stack's final status (from the status change event). Whoever completes the pair claims
 * the resume, once, with a conditional write.
 */
export interface StackWait {
  region: string;
  cfnStackName: string;
  operationId: string;
  action: string;
  since: string;
  taskToken?: string;
  outcome?: { status: string; reason: string };
  resumedAt?: string;
}

export class StackWaitStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async parkToken(region: string, cfnStackName: string, operationId: string, taskToken: string) {
    return this.update(region, cfnStackName, {
      UpdateExpression: 'SET taskToken = :token',
      ConditionExpression: 'operationId = :op',
      ExpressionAttributeValues: { ':token': taskToken, ':op': operationId },
    });
  }

  /**
   * Records a final status for the wait it ends. Events from before the wait began (a previous
   * operation's, delivered late) are ignored; EventBridge times have whole seconds, hence the
   * truncation, and the workflow re-reads the stack after resuming in case one slips through.
   */
  async recordOutcome(
    region: string,
    cfnStackName: string,
    status: string,
    reason: string,
    eventTime: string,
  ) {
    const actions = actionsEndedBy(status);
    if (actions.length === 0) return undefined;
    const names = actions.map((_, i) => `:a${i}`);
    return this.update(region, cfnStackName, {
      UpdateExpression: 'SET outcome = :outcome',
      ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(outcome) AND #action IN (${names.join(', ')}) AND since <= :time`,
      ExpressionAttributeNames: { '#action': 'action' },
      ExpressionAttributeValues: {
        ':outcome': { status, reason },
        ':time': `${eventTime.slice(0, 19)}.999Z`,
        ...Object.fromEntries(actions.map((a, i) => [names[i], a])),
      },
    });
  }

  /** True for exactly one caller per wait: the one that may send the task success. */
  async claimResume(wait: StackWait): Promise<boolean> {
    const claimed = await this.update(wait.region, wait.cfnStackName, {
      UpdateExpression: 'SET resumedAt = :now',
      ConditionExpression:
        'operationId = :op AND taskToken = :token AND attribute_exists(outcome) AND attribute_not_exists(resumedAt)',
      ExpressionAttributeValues: {
        ':now': new Date().toISOString(),
        ':op': wait.operationId,
        ':token': wait.taskToken,
      },
    });
    return claimed !== undefined;
  }

  private async update(
    region: string,
    cfnStackName: string,
    expression: Pick<
      ConstructorParameters<typeof UpdateCommand>[0],
      'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<StackWait | undefined> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.stackWait(region, cfnStackName),
          ReturnValues: 'ALL_NEW',
          ...expression,
        }),
      );
      return out.Attributes as StackWait | undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
