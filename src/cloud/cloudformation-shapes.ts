import type {
  Change,
  CreateChangeSetInput,
  DescribeChangeSetOutput,
  Stack,
  StackEvent as CfnStackEvent,
} from '@aws-sdk/client-cloudformation';
import { CloudError } from './errors';
import type {
  ChangeSetDescription,
  ChangeSetRequest,
  ResourceChange,
  ResourceChangeDetail,
  StackDescription,
  StackEvent,
} from './ports';

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

// ---- change sets ----------------------------------------------------------------------------------

/**
 * CloudFormation has no error code for a change set that changes nothing: it fails the change set
 * (`FAILED`) with this reason ("The submitted information didn't contain changes. Submit different
 * information to create a change set."), documented in its change set guide and in DescribeChangeSet's
 * examples; some accounts answer with UpdateStack's words instead, which the AWS CLI's `deploy`
 * also accepts. Read only together with the FAILED status, never as an error.
 */
const NO_CHANGES_REASONS = [
  "The submitted information didn't contain changes",
  'No updates are to be performed',
];

/** CreateChangeSet's input: an UPDATE of the stack, its template by URL as for UpdateStack. */
export const changeSetInput = (request: ChangeSetRequest): CreateChangeSetInput => ({
  StackName: request.stackName,
  ChangeSetName: request.changeSetName,
  ChangeSetType: 'UPDATE',
  TemplateURL: request.templateUrl,
  Parameters: Object.entries(request.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  })),
  Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
  Capabilities: request.capabilities,
  ClientToken: request.clientToken,
});

const ACTIONS = new Set<ResourceChange['action']>(['Add', 'Modify', 'Remove', 'Import', 'Dynamic']);

function resourceChange(change: Change): ResourceChange | undefined {
  const resource = change.ResourceChange;
  if (change.Type !== 'Resource' || !resource) return undefined;
  const action = resource.Action as ResourceChange['action'] | undefined;
  const details = (resource.Details ?? []).map((detail): ResourceChangeDetail => ({
    attribute: detail.Target?.Attribute ?? '',
    ...(detail.Target?.Name ? { name: detail.Target.Name } : {}),
    ...(detail.Target?.RequiresRecreation ? { requiresRecreation: detail.Target.RequiresRecreation } : {}),
    ...(detail.Evaluation ? { evaluation: detail.Evaluation } : {}),
    ...(detail.ChangeSource ? { changeSource: detail.ChangeSource } : {}),
    ...(detail.CausingEntity ? { causingEntity: detail.CausingEntity } : {}),
  }));
  return {
    logicalId: resource.LogicalResourceId ?? '',
    ...(resource.PhysicalResourceId ? { physicalId: resource.PhysicalResourceId } : {}),
    type: resource.ResourceType ?? '',
    // Actions added to the API later (SyncWithActual, ...) are ones CloudFormation decides during the update.
    action: action && ACTIONS.has(action) ? action : 'Dynamic',
    replacement: resource.Replacement ?? null,
    scope: [...(resource.Scope ?? [])],
    ...(details.length > 0 ? { details } : {}),
  };
}

/**
 * A change set with every page of its changes, read through `page` (DescribeChangeSet with the
 * given NextToken): both StackPort adapters read it the same way.
 */
export async function wholeChangeSet(
  page: (nextToken: string | undefined) => Promise<DescribeChangeSetOutput>,
): Promise<ChangeSetDescription> {
  const first = await page(undefined);
  const changes = [...(first.Changes ?? [])];
  for (let next = first.NextToken; next;) {
    const more = await page(next);
    changes.push(...(more.Changes ?? []));
    next = more.NextToken;
  }
  const status = first.Status ?? 'FAILED';
  const reason = first.StatusReason;
  return {
    changeSetId: first.ChangeSetId ?? '',
    status,
    executionStatus: first.ExecutionStatus ?? 'UNAVAILABLE',
    ...(reason ? { statusReason: reason } : {}),
    noChanges: status === 'FAILED' && NO_CHANGES_REASONS.some((words) => reason?.includes(words) ?? false),
    changes: changes.flatMap((change) => resourceChange(change) ?? []),
  };
}

/**
 * Translates the change set errors the workflows act on, by the SDK's exception names (which the
 * simulated CloudFormation's errors share); everything else is returned as it is. `byName`: the call
 * named an existing stack, so its only possible ValidationError is "Stack [name] does not exist"
 * (as for DescribeStacks, without reading the message), which leaves the change set gone too.
 */
export function changeSetError(
  error: unknown,
  where: { stackName: string; changeSetName: string; byName: boolean },
): unknown {
  const name = error instanceof Error ? error.name : '';
  const what = `change set ${where.changeSetName} of stack ${where.stackName}`;
  if (name === 'ChangeSetNotFoundException' || (where.byName && name === 'ValidationError'))
    return new CloudError('ChangeSetGone', `${what} does not exist`);
  if (name === 'InvalidChangeSetStatusException')
    return new CloudError('ChangeSetNotExecutable', `${what}: ${(error as Error).message}`);
  if (name === 'AlreadyExistsException')
    return new CloudError('ChangeSetExists', `${what} already exists for another request`);
  return error;
}
