import { newDeployment } from '../../../src/domain/deployment';
import { newId } from '../../../src/domain/ids';
import { type LocalDynamo, startDynamo } from '../../../src/local/dynamo';
import { Store } from '../../../src/store/store';
import { aStage, newTenantId, TABLE_NAME } from '../../support/fixtures';

let dynamo: LocalDynamo;
let store: Store;

beforeAll(async () => {
  dynamo = await startDynamo(TABLE_NAME);
  store = new Store(dynamo.documentClient, TABLE_NAME);
});
afterAll(async () => {
  await dynamo.close();
});

function deploymentOf(stage: ReturnType<typeof aStage>, at: number) {
  const createdAt = new Date(at).toISOString();
  const operation = { operationId: newId('op', at), type: 'UPDATE_STAGE' as const, createdAt };
  return newDeployment(stage, operation, {
    imageUri: `repo:${at}`,
    settings: { requireApproval: false, loadBalancer: false, port: 80, environment: {}, origins: [] },
  });
}

describe('deployments', () => {
  test('are listed per stage, newest first, a page at a time', async () => {
    // Prepare
    const tenantId = newTenantId();
    const stage = aStage({ tenantId, stackId: newId('stk') });
    const other = aStage({ tenantId, stackId: stage.stackId, name: 'prod' });
    const t0 = Date.now();
    for (const at of [t0, t0 + 1000, t0 + 2000]) await store.deployments.put(deploymentOf(stage, at));
    await store.deployments.put(deploymentOf(other, t0 + 500));

    // Act
    const first = await store.deployments.list(stage, { limit: 2 });
    const second = await store.deployments.list(stage, { limit: 2, nextToken: first.nextToken });

    // Assess
    expect([...first.items, ...second.items].map((d) => d.imageUri)).toEqual([
      `repo:${t0 + 2000}`,
      `repo:${t0 + 1000}`,
      `repo:${t0}`,
    ]);
    expect(second.nextToken).toBeUndefined();
  });

  test('a stage created again under the same name has a history of its own', async () => {
    // Prepare
    const tenantId = newTenantId();
    const before = aStage({ tenantId, stackId: newId('stk'), createdAt: '2026-01-01T00:00:00.000Z' });
    const again = { ...before, createdAt: '2026-02-01T00:00:00.000Z' };
    await store.deployments.put(deploymentOf(before, Date.now()));

    // Act
    const listed = await store.deployments.list(again, {});

    // Assess
    expect(listed.items).toEqual([]);
  });

  test('recording one again changes nothing; it ends once, and only an unended one is forgotten', async () => {
    // Prepare
    const tenantId = newTenantId();
    const stage = aStage({ tenantId, stackId: newId('stk') });
    const recorded = deploymentOf(stage, Date.now());
    const [ended, forgotten] = [recorded, deploymentOf(stage, Date.now() + 1)];
    await store.deployments.put(recorded);
    await store.deployments.put(forgotten);

    // Act
    const again = await store.deployments.put({ ...recorded, imageUri: 'other' });
    const firstEnd = await store.deployments.end(ended, 'ROLLED_BACK', 'the alarm fired');
    const secondEnd = await store.deployments.end(ended, 'SUCCEEDED');
    await store.deployments.forget(ended);
    await store.deployments.forget(forgotten);
    const missing = await store.deployments.end({ ...ended, deploymentId: 'dep_none' }, 'FAILED', 'x');

    // Assess
    expect([again, firstEnd, secondEnd, missing]).toEqual([false, true, false, false]);
    expect(await store.deployments.find(tenantId, stage.stackId, ended.deploymentId)).toMatchObject({
      imageUri: recorded.imageUri,
      status: 'ROLLED_BACK',
      reason: 'the alarm fired',
      endedAt: expect.any(String),
    });
    expect(await store.deployments.find(tenantId, stage.stackId, forgotten.deploymentId)).toBeUndefined();
  });
});
