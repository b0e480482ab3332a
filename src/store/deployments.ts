import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Deployment, DeploymentEnd } from '../domain/deployment';
import type { Stage } from '../domain/stage';
import { gsi1, keys } from './keys';
import type { Page, PageRequest } from './page';
import { isConditionFailure, queryIndexPage, record, TableStore } from './items';

/**
 * The deployments of a stack's stages, in the stack's partition (`DEPLOY#<deploymentId>`), listed
 * per stage newest first through GSI1. Recorded IN_PROGRESS when the operation is launched, ended
 * once by the workflow's last task (a conditional write: a late or repeated end changes nothing).
 */
export class DeploymentStore extends TableStore {
  /** Records a deployment; recording it again (a retried step) changes nothing and answers false. */
  async put(deployment: Deployment): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.deployment(deployment.tenantId, deployment.stackId, deployment.deploymentId),
            gsi1pk: gsi1.deploymentsOf(
              deployment.tenantId,
              deployment.stackId,
              deployment.stageName,
              deployment.stageCreatedAt,
            ),
            gsi1sk: deployment.deploymentId,
            kind: 'deployment',
            ...deployment,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async find(tenantId: string, stackId: string, deploymentId: string): Promise<Deployment | undefined> {
    return record<Deployment>(await this.get(keys.deployment(tenantId, stackId, deploymentId)));
  }

  /** The stage's deployments, newest first (ids are time-ordered). */
  async list(
    stage: Pick<Stage, 'tenantId' | 'stackId' | 'name' | 'createdAt'>,
    page: PageRequest,
  ): Promise<Page<Deployment>> {
    const partition = gsi1.deploymentsOf(stage.tenantId, stage.stackId, stage.name, stage.createdAt);
    return queryIndexPage<Deployment>(this.db, this.tableName, partition, page, 'newest-first');
  }

  /** Ends a deployment still IN_PROGRESS; one that has ended, or none at all, is left as it is. */
  async end(
    ref: { tenantId: string; stackId: string; deploymentId: string },
    status: DeploymentEnd,
    reason?: string,
  ): Promise<boolean> {
    const now = new Date().toISOString();
    const written = await this.update(keys.deployment(ref.tenantId, ref.stackId, ref.deploymentId), {
      UpdateExpression: `SET #status = :status, endedAt = :now${reason ? ', reason = :reason' : ''}`,
      ConditionExpression: '#status = :inProgress',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': status,
        ':now': now,
        ':inProgress': 'IN_PROGRESS',
        ...(reason ? { ':reason': reason } : {}),
      },
    });
    return written !== undefined;
  }

  /** Forgets a deployment whose workflow never started: nothing was deployed. */
  async forget(ref: { tenantId: string; stackId: string; deploymentId: string }): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.deployment(ref.tenantId, ref.stackId, ref.deploymentId),
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': 'IN_PROGRESS' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
