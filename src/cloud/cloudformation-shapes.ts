import type { Stack, StackEvent as CfnStackEvent } from '@aws-sdk/client-cloudformation';
import type { StackDescription, StackEvent } from './ports';

/** CloudFormation's answers in the ports' terms; both StackPort adapters read the same SDK shapes. */
export function stackDescription(stack: Stack): StackDescription {
  return {
    stackId: stack.StackId ?? '',
    status: stack.StackStatus ?? 'UNKNOWN',
    // Always present: the workflows' ResultSelector reads it, and a missing field fails the state.
    reason: stack.StackStatusReason ?? '',
    outputs: Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? ''])),
  };
}

export function stackEvent(event: CfnStackEvent, stackName: string): StackEvent {
  return {
    timestamp: (event.Timestamp ?? new Date(0)).toISOString(),
    stackName: event.StackName ?? stackName,
    logicalId: event.LogicalResourceId ?? '',
    resourceType: event.ResourceType ?? '',
    status: event.ResourceStatus ?? '',
    ...(event.ResourceStatusReason ? { reason: event.ResourceStatusReason } : {}),
  };
}
