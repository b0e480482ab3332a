import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { WebhookDelivery } from '../../../src/domain/subscription';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111122223333/tinystacks-ci-webhook-deliveries';
process.env.WEBHOOK_QUEUE_URL = QUEUE_URL;
const { deliveryQueue, postpone } = await import('../../../src/cloud/aws/delivery-queue');

const sqs = mockClient(SQSClient);
beforeEach(() => sqs.reset());

const delivery = (n: number): WebhookDelivery => ({
  tenantId: 'acme',
  subscriptionId: `sub_${n}`,
  enqueuedAt: '2026-01-01T00:00:00Z',
  event: {
    version: '0',
    id: 'e1',
    'detail-type': 'Stage Status Change',
    source: 'tinystacks',
    account: '111122223333',
    time: '2026-01-01T00:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: { tenantId: 'acme' },
  },
});

describe('deliveryQueue.enqueue', () => {
  test('sends one message per delivery, in batches of ten', async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const deliveries = Array.from({ length: 23 }, (_, i) => delivery(i));

    // Act
    await deliveryQueue.enqueue(deliveries);

    // Assess
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Entries!.length)).toEqual([10, 10, 3]);
    expect(calls.every((c) => c.QueueUrl === QUEUE_URL)).toBe(true);
    expect(JSON.parse(calls[2]!.Entries![2]!.MessageBody!)).toEqual(deliveries[22]);
  });

  test('entries SQS refused are sent again, and only those', async () => {
    // Prepare
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [],
        Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }],
      })
      .resolves({ Successful: [], Failed: [] });

    // Act
    await deliveryQueue.enqueue([delivery(0), delivery(1), delivery(2)]);

    // Assess
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.Entries!.map((e) => JSON.parse(e.MessageBody!).subscriptionId)).toEqual(['sub_1']);
  });

  test('entries refused again and again fail the fan-out, so it is retried', async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '0', Code: 'KMS.ThrottlingException', SenderFault: false }],
    });

    // Act
    const result = deliveryQueue.enqueue([delivery(0)]);

    // Assess
    await expect(result).rejects.toThrow('SQS refused 1 webhook deliveries: KMS.ThrottlingException');
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
  });
});

describe('postpone', () => {
  test('sets the message’s visibility timeout to the backoff delay, within SQS’s 12-hour limit', async () => {
    // Prepare
    sqs.on(ChangeMessageVisibilityCommand).resolves({});

    // Act
    await postpone('rh-1', 120);
    await postpone('rh-2', 100_000);

    // Assess
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-1', VisibilityTimeout: 120 },
      { QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-2', VisibilityTimeout: 43_200 },
    ]);
  });
});
