import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Stage } from '../domain/stage';
import type { Store } from '../store/store';

/**
 * Executions live in the embedded runtime's memory, so a restart ends them. At start, every stage
 * still locked by an operation from the last run is unlocked and its operation marked FAILED, so
 * no stage stays locked forever. A startup Scan, never on a request path.
 */
export async function recoverInterruptedOperations(
  store: Store,
  db: DynamoDBDocumentClient,
): Promise<number> {
  let recovered = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: store.tableName,
        FilterExpression: 'kind = :stage AND attribute_exists(#lock)',
        ExpressionAttributeNames: { '#lock': 'lock' },
        ExpressionAttributeValues: { ':stage': 'stage' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of (page.Items ?? []) as (Stage & { kind: string })[]) {
      const operationId = item.lock!.operationId;
      const reason = 'interrupted: the embedded runtime stopped while this operation ran';
      await store.finishOperation(item.tenantId, operationId, 'FAILED', reason);
      await store.releaseStageLock(
        { tenantId: item.tenantId, stackId: item.stackId, name: item.name },
        operationId,
        'FAILED',
        reason,
      );
      recovered += 1;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return recovered;
}
