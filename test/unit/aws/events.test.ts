import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';

process.env.EVENT_BUS_NAME = 'tinystacks-ci';
const { bus } = await import('../../../src/cloud/aws/events');

const eventBridge = mockClient(EventBridgeClient);

beforeEach(() => eventBridge.reset());

test('puts each event on the platform bus with the tinystacks source', async () => {
  // Prepare
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });

  // Act
  await bus.publish([{ detailType: 'Stage Status Change', detail: { stageName: 'dev', status: 'FAILED' } }]);

  // Assess
  expect(eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input).toEqual({
    Entries: [
      {
        EventBusName: 'tinystacks-ci',
        Source: 'tinystacks',
        DetailType: 'Stage Status Change',
        Detail: '{"stageName":"dev","status":"FAILED"}',
      },
    ],
  });
});

test('nothing to publish makes no call', async () => {
  // Prepare: no events

  // Act
  await bus.publish([]);

  // Assess
  expect(eventBridge.calls()).toHaveLength(0);
});

test('entries EventBridge refuses are an error, not dropped', async () => {
  // Prepare
  eventBridge.on(PutEventsCommand).resolves({
    FailedEntryCount: 1,
    Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
  });

  // Act
  const publishing = bus.publish([{ detailType: 'Operation Status Change', detail: {} }]);

  // Assess
  await expect(publishing).rejects.toThrow('EventBridge refused 1 event(s): InternalFailure');
});
