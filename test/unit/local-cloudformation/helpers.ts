import type { Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import { LocalCloudFormation } from '../../../src/local/cloudformation';
import type { StackStatusChangeEvent } from '../../../src/local/cloudformation';

export const REGION = 'eu-west-1';

/** A LocalCloudFormation with a 1 ms step that records every status change event. */
export function newCloudFormation(): { cfn: LocalCloudFormation; published: StackStatusChangeEvent[] } {
  const published: StackStatusChangeEvent[] = [];
  const cfn = new LocalCloudFormation({ delayMs: 1, onStatusChange: (event) => void published.push(event) });
  return { cfn, published };
}

export const body = (template: Record<string, unknown>): string => JSON.stringify(template);

export const bucketTemplate = (
  properties: Record<string, unknown> = {},
  outputs: Record<string, unknown> = {},
) => ({
  AWSTemplateFormatVersion: '2010-09-09',
  Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: properties } },
  Outputs: { BucketName: { Value: { Ref: 'Bucket' } }, ...outputs },
});

export async function createAndWait(
  cfn: LocalCloudFormation,
  stackName: string,
  template: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<Stack> {
  await cfn.createStack({ StackName: stackName, TemplateBody: body(template), ...extra }, REGION);
  await cfn.whenIdle();
  return describe(cfn, stackName);
}

export async function describe(cfn: LocalCloudFormation, stackName: string): Promise<Stack> {
  const { Stacks } = await cfn.describeStacks({ StackName: stackName }, REGION);
  return Stacks![0]!;
}

/** Every event of the stack, oldest first. */
export async function allEvents(cfn: LocalCloudFormation, stackName: string): Promise<StackEvent[]> {
  const events: StackEvent[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.describeStackEvents({ StackName: stackName, NextToken: token }, REGION);
    events.push(...page.StackEvents!);
    token = page.NextToken;
  } while (token);
  return events.reverse();
}

export const outputsOf = (stack: Stack): Record<string, string> =>
  Object.fromEntries((stack.Outputs ?? []).map((output) => [output.OutputKey!, output.OutputValue!]));

export const stackStatuses = (events: StackEvent[]): string[] =>
  events
    .filter((event) => event.ResourceType === 'AWS::CloudFormation::Stack')
    .map((event) => event.ResourceStatus!);
