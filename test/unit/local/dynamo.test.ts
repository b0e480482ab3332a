import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { jest } from '@jest/globals';
import { startDynamo, type LocalDynamo } from '../../../src/local/dynamo';
import { Store } from '../../../src/store/store';
import { aStack, newTenantId, TABLE_NAME } from '../../support/fixtures';

/** abstract-level as dynalite loads it: every level database registers its open iterators with it. */
const { AbstractLevel } = createRequire(
  createRequire(createRequire(import.meta.url).resolve('dynalite')).resolve('level'),
)('abstract-level') as {
  AbstractLevel: { prototype: { attachResource(r: object): void; detachResource(r: object): void } };
};

describe.each([
  ['in memory (memory-level)', false],
  ['in a data folder (classic-level, what npm start uses)', true],
])('dynalite %s', (_, onDisk) => {
  let dynamo: LocalDynamo;
  let dir: string | undefined;

  beforeAll(async () => {
    dir = onDisk ? mkdtempSync(join(tmpdir(), 'tinystacks-dynamo-')) : undefined;
    dynamo = await startDynamo(TABLE_NAME, dir);
  });
  afterAll(async () => {
    await dynamo.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every Query closes the iterators it opened: 100 list pages leave none open', async () => {
    // Prepare: a tenant with more stacks than a page, so each Query stops at its Limit.
    const store = new Store(dynamo.documentClient, TABLE_NAME);
    const tenantId = newTenantId();
    for (let i = 0; i < 12; i++) {
      const stack = aStack({ tenantId });
      await dynamo.documentClient.send(
        new PutCommand({
          TableName: TABLE_NAME,
          Item: { pk: `T#${tenantId}`, sk: `STACK#${stack.stackId}`, kind: 'stack', ...stack },
        }),
      );
    }
    const attached = jest.spyOn(AbstractLevel.prototype, 'attachResource');
    const detached = jest.spyOn(AbstractLevel.prototype, 'detachResource');

    // Act
    let next: string | undefined;
    let listed = 0;
    for (let i = 0; i < 100; i++) {
      const page = await store.listStacks(tenantId, { limit: 5, nextToken: next });
      listed += page.items.length;
      next = page.nextToken;
    }
    // Closing happens as each stream ends; give the last one its turn.
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Assess
    expect(listed).toBeGreaterThan(0);
    expect(attached.mock.calls.length).toBeGreaterThanOrEqual(100);
    expect(detached.mock.calls.length).toBe(attached.mock.calls.length);
    attached.mockRestore();
    detached.mockRestore();
  });

  test('pages stay complete and in order with the smaller read batches', async () => {
    // Prepare
    const store = new Store(dynamo.documentClient, TABLE_NAME);
    const tenantId = newTenantId();
    const ids: string[] = [];
    for (let i = 0; i < 150; i++) {
      const stack = aStack({ tenantId });
      ids.push(stack.stackId);
      await dynamo.documentClient.send(
        new PutCommand({
          TableName: TABLE_NAME,
          Item: { pk: `T#${tenantId}`, sk: `STACK#${stack.stackId}`, kind: 'stack', ...stack },
        }),
      );
    }

    // Act
    const seen: string[] = [];
    let next: string | undefined;
    do {
      const page = await store.listStacks(tenantId, { limit: 100, nextToken: next });
      seen.push(...page.items.map((s) => s.stackId));
      next = page.nextToken;
    } while (next);

    // Assess
    expect(seen).toEqual([...ids].sort());
  });
});
