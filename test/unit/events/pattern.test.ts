import { matches, type EventPattern } from '../../../src/events/pattern';

/** An event as EventBridge delivers it: a CloudFormation stack status change (events/samples). */
const stackEvent = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'CloudFormation Stack Status Change',
  source: 'aws.cloudformation',
  account: '111122223333',
  time: '2026-11-25T12:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:cloudformation:us-east-1:111122223333:stack/tinystacks-stk_1-dev/1', 'arn:other'],
  detail: { 'stack-id': 'arn:…', 'status-details': { status: 'CREATE_COMPLETE' }, count: 3, flag: false },
};

// The cases follow EventBridge's documentation on event patterns ("Creating event patterns",
// "Matching on multiple values", "Comparison operators": prefix).
describe('EventBridge event patterns', () => {
  test.each<[string, EventPattern, boolean]>([
    ['an exact value', { source: ['aws.cloudformation'] }, true],
    ['another value', { source: ['aws.codepipeline'] }, false],
    ['any of the values in the array', { source: ['aws.states', 'aws.cloudformation'] }, true],
    ['case matters', { source: ['AWS.cloudformation'] }, false],
    ['every field of the pattern (AND)', { source: ['aws.cloudformation'], region: ['eu-west-1'] }, false],
    ['a field the event does not have', { source: ['aws.cloudformation'], missing: ['x'] }, false],
    [
      'nested fields, at the same nesting',
      { detail: { 'status-details': { status: ['CREATE_COMPLETE'] } } },
      true,
    ],
    ['a nested field at another nesting', { detail: { status: ['CREATE_COMPLETE'] } }, false],
    ['an object where the event has a string', { source: { inner: ['x'] } }, false],
    ['a prefix', { 'detail-type': [{ prefix: 'CloudFormation ' }] }, true],
    ['a prefix that is not one', { 'detail-type': [{ prefix: 'cloudformation' }] }, false],
    ['a prefix or an exact value', { source: ['aws.states', { prefix: 'aws.cloud' }] }, true],
    ['an event array: any element', { resources: ['arn:other'] }, true],
    ['an event array: a prefix of any element', { resources: [{ prefix: 'arn:aws:cloudformation:' }] }, true],
    ['an event array: no element', { resources: ['arn:none'] }, false],
    ['numbers match numbers', { detail: { count: [3] } }, true],
    ['a number does not match its string', { detail: { count: ['3'] } }, false],
    ['a prefix never matches a number', { detail: { count: [{ prefix: '3' }] } }, false],
    ['booleans', { detail: { flag: [false] } }, true],
    ['an empty array matches nothing', { source: [] }, false],
  ])('%s', (_name, pattern, expected) => {
    // Act
    const result = matches(pattern, stackEvent);

    // Assess
    expect(result).toBe(expected);
  });

  test('an operator the platform does not use is refused rather than guessed at', () => {
    // Prepare
    const pattern = { source: [{ suffix: 'formation' }] } as unknown as EventPattern;

    // Act
    const act = () => matches(pattern, stackEvent);

    // Assess
    expect(act).toThrow('suffix');
  });
});
