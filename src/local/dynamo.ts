import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { GSI1 } from '../store/keys';

/** The level packages dynalite itself loads (resolved through it, so they are the same instances). */
const level = (() => {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const fromLevel = createRequire(fromDynalite.resolve('level'));
  const fromClassic = createRequire(fromLevel.resolve('classic-level'));
  return {
    abstractLevel: fromClassic('abstract-level') as { AbstractValueIterator: { prototype: object } },
    classicBinding: fromLevel('classic-level/binding.js') as {
      iterator_nextv?: (context: unknown, size: number) => Promise<unknown[]>;
    },
  };
})();

/**
 * dynalite 4.0.0 (the latest) reads every Query and Scan through a level iterator and, when its
 * stream ends or is cut at `Limit`, closes it with `iterator.return()`. Level 10's iterators
 * (abstract-level 3) close with `close()` and have no `return`, so no iterator was ever closed:
 * each stayed registered with the database and kept its LevelDB snapshot, two per Query. That was
 * the list routes' memory growth (4,000 `GET /v1/stacks` left 8,000 open iterators and +21 MB of
 * heap after a full GC). Giving the iterators the method dynalite calls closes each one when its
 * stream is done.
 */
const iteratorPrototype = Object.getPrototypeOf(level.abstractLevel.AbstractValueIterator.prototype) as {
  return?: () => Promise<void>;
  close(): Promise<void>;
};
if (typeof iteratorPrototype.return !== 'function') {
  iteratorPrototype.return = function (this: { close(): Promise<void> }) {
    return this.close();
  };
}

/**
 * classic-level reads an iterator's entries after the first in batches of 1,000, and its native
 * side reserves room for the whole batch (64 KB) until V8 collects the iterator, which under load
 * is thousands of requests later: native memory V8 does not count, so it does not hurry. A Query
 * here reads at most its page (`Limit` + 1, at most 101); batches of 128 cost one 8 KB reservation.
 */
const NEXTV_BATCH = 128;
const nextv = level.classicBinding.iterator_nextv;
if (typeof nextv === 'function' && !(nextv as { capped?: boolean }).capped) {
  level.classicBinding.iterator_nextv = Object.assign(
    (context: unknown, size: number) => nextv(context, Math.min(size, NEXTV_BATCH)),
    { capped: true },
  );
}

export interface LocalDynamo {
  client: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  endpoint: string;
  close(): Promise<void>;
}

/** The table serverless.yml declares, created on dynalite (in memory, or under a data folder). */
export async function startDynamo(tableName: string, dataPath?: string): Promise<LocalDynamo> {
  const server = dynalite({ path: dataPath, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(client, tableName);
  return {
    client,
    documentClient: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    endpoint,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: GSI1,
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await client.send(new DescribeTableCommand({ TableName: tableName }));
}
