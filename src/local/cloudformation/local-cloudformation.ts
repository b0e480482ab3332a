/**
 * The CloudFormation of the embedded runtime. Nothing is provisioned: templates are checked against
 * the CloudFormation resource specification and the resource providers' schemas, stacks walk through the real status names with a
 * short delay per step, resources get realistic simulated ids and attributes, and every status
 * change is published as the EventBridge event CloudFormation sends.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type {
  Capability,
  ChangeSetStatus,
  ChangeSetSummary,
  ContinueUpdateRollbackInput,
  CreateChangeSetInput,
  CreateChangeSetOutput,
  CreateStackInput,
  CreateStackOutput,
  DeleteChangeSetInput,
  DeleteStackInput,
  DescribeChangeSetInput,
  DescribeChangeSetOutput,
  DescribeStackEventsInput,
  DescribeStackEventsOutput,
  DescribeStackResourcesInput,
  DescribeStackResourcesOutput,
  DescribeStacksInput,
  DescribeStacksOutput,
  ExecuteChangeSetInput,
  GetTemplateInput,
  GetTemplateOutput,
  ListChangeSetsInput,
  ListChangeSetsOutput,
  OnFailure,
  Output,
  ResourceStatus,
  Stack,
  StackEvent,
  StackStatus,
  UpdateStackInput,
  UpdateStackOutput,
} from '@aws-sdk/client-cloudformation';
import { NO_CHANGES_REASON, planChanges } from './change-sets';
import { CloudFormationError, validationError } from './errors';
import { evaluateCondition, resolve, TemplateError } from './intrinsics';
import type { ResolveContext } from './intrinsics';
import type { ResourceEffects } from './effects';
import { partitionOf, simulateResource } from './physical';
import type { KnownResource } from './physical';
import { propertiesError } from './properties';
import { registryPropertiesError } from './registry-schemas';
import { loadResourceSpec } from './spec';
import { StackStateFiles } from './stack-state';
import type { ResourceSpec } from './spec';
import {
  checkStackTags,
  checkTemplateSize,
  isCustomType,
  parameterRefValues,
  parseTemplate,
  requiredCapability,
  resolveParameterValues,
} from './template';
import type { Template } from './template';
import type {
  ChangeSetRecord,
  Deployment,
  FailureRule,
  LiveResource,
  StackRecord,
  UpdateUndo,
} from './records';

export interface StackStatusChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'CloudFormation Stack Status Change';
  source: 'aws.cloudformation';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    'stack-id': string;
    'status-details': { status: string; 'status-reason': string };
    'client-request-token'?: string;
  };
}

export interface LocalCloudFormationOptions {
  /** Time each status step takes, e.g. 200; 1 in unit tests. */
  delayMs: number;
  accountId?: string;
  onStatusChange?: (event: StackStatusChangeEvent) => void | Promise<void>;
  /** Defaults to the specification bundled with @aws-cdk/aws-service-spec. */
  spec?: ResourceSpec;
  /**
   * What some resources do besides existing: a generated secret, a key pair's private key, a
   * password a database takes from a dynamic reference (src/local/cloudformation/effects.ts).
   */
  effects?: ResourceEffects;
  /**
   * Where stacks are kept, so that they survive a restart (src/local/cloudformation/stack-state.ts);
   * without it, in memory only. A stack found mid-transition is finished by `resume()`.
   */
  stateDir?: string;
  /** Reads a `TemplateURL` (the embedded runtime's S3 stand-in); without it, URLs are refused. */
  templateSource?: (url: string) => string | undefined;
}

type Operation = NonNullable<FailureRule['operation']>;

type ProvisionResult =
  | { ok: true; resources: Map<string, LiveResource>; outputs: Output[]; undo: UpdateUndo }
  | { ok: false; reason: string; resources: Map<string, LiveResource>; undo: UpdateUndo };

const UPDATABLE = new Set<StackStatus>(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE']);
const EVENTS_PAGE_SIZE = 100;
/** DescribeChangeSet's page of changes (CloudFormation does not document its own size). */
const CHANGES_PAGE_SIZE = 100;
const STACK_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
const CHANGE_SET_NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
const CREATING = new Set<ChangeSetStatus>(['CREATE_PENDING', 'CREATE_IN_PROGRESS']);
/**
 * A change set's status steps take at most this long, however slowly resources provision: computing
 * one compares templates and provisions nothing (on AWS, seconds for a stage's template).
 */
const CHANGE_SET_STEP_MAX_MS = 1000;

/** What UpdateStack and CreateChangeSet both take. */
type UpdateRequest = Pick<
  UpdateStackInput,
  'TemplateBody' | 'TemplateURL' | 'UsePreviousTemplate' | 'Parameters' | 'Capabilities' | 'Tags'
>;

const failedReason = (verb: string, logicalIds: string[]) =>
  `The following resource(s) failed to ${verb}: [${logicalIds.join(', ')}]. `;

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

export class LocalCloudFormation {
  private delayMs: number;
  private readonly accountId: string;
  private readonly onStatusChange?: LocalCloudFormationOptions['onStatusChange'];
  private readonly specOverride?: ResourceSpec;
  private readonly effects?: ResourceEffects;
  private readonly templateSource?: (url: string) => string | undefined;
  private readonly stacksById = new Map<string, StackRecord>();
  /** Live (not deleted) stacks by `region/name`. */
  private readonly liveStacks = new Map<string, string>();
  private failureRules: FailureRule[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private transitioning = 0;
  private idleWaiters: (() => void)[] = [];
  private disposed = false;
  private readonly state?: StackStateFiles;
  /** Stacks changed since they were last written: written before a status is published or a pause. */
  private readonly unsaved = new Set<StackRecord>();
  /** Writes under way (off the event loop), and the status events that wait for them. */
  private readonly writing = new Set<Promise<void>>();

  constructor(options: LocalCloudFormationOptions) {
    this.delayMs = options.delayMs;
    this.accountId = options.accountId ?? '123456789012';
    this.onStatusChange = options.onStatusChange;
    this.specOverride = options.spec;
    this.effects = options.effects;
    if (options.stateDir) {
      this.state = new StackStateFiles(options.stateDir);
      const { stacks, failureRules } = this.state.load();
      for (const stack of stacks) {
        this.stacksById.set(stack.stackId, stack);
        if (stack.status !== 'DELETE_COMPLETE')
          this.liveStacks.set(`${stack.region}/${stack.stackName}`, stack.stackId);
      }
      this.failureRules = failureRules;
    }
    this.templateSource = options.templateSource;
  }

  private get spec(): ResourceSpec {
    return this.specOverride ?? loadResourceSpec();
  }

  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  failWhen(rule: FailureRule): void {
    this.failureRules.push(rule);
    this.state?.saveFailureRules(this.failureRules);
  }

  clearFailures(): void {
    this.failureRules = [];
    this.state?.saveFailureRules(this.failureRules);
  }

  /**
   * Finishes what each stack was doing when the process stopped, as CloudFormation would have
   * finished it meanwhile, publishing every status on the way. Call once the status subscribers are
   * in place; `whenIdle()` then says when all are settled.
   */
  resume(): void {
    for (const stack of this.stacksById.values()) {
      for (const changeSet of stack.changeSets ?? []) {
        if (CREATING.has(changeSet.status)) this.completeChangeSet(stack, changeSet);
      }
      const pending = stack.pending;
      const settle = (status: StackStatus, reason?: string) => async () => {
        await this.pause();
        this.setStatus(stack, status, reason);
      };
      switch (stack.status) {
        case 'CREATE_IN_PROGRESS':
          this.transition(stack, 'CREATE_FAILED', () =>
            this.runCreate(stack, pending?.op === 'create' ? pending.onFailure : 'ROLLBACK'),
          );
          break;
        case 'ROLLBACK_IN_PROGRESS': {
          // Its resources were deleted with the status change; what is left failed to delete.
          const left = [...stack.deployed.resources.keys()];
          const failed = left.length > 0 ? failedReason('delete', [left[0]!]) : undefined;
          this.transition(
            stack,
            'ROLLBACK_FAILED',
            settle(failed ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE', failed),
          );
          break;
        }
        case 'DELETE_IN_PROGRESS':
          this.transition(stack, 'DELETE_FAILED', () =>
            this.runDelete(stack, new Set(pending?.op === 'delete' ? pending.retain : [])),
          );
          break;
        case 'UPDATE_IN_PROGRESS':
          this.transition(stack, 'UPDATE_ROLLBACK_FAILED', () =>
            pending?.op === 'update'
              ? this.runUpdate(stack, pending.next)
              : this.rollBackUpdate(stack, { updated: [], created: [] }),
          );
          break;
        case 'UPDATE_ROLLBACK_IN_PROGRESS': {
          const stuck = stack.pendingUndo?.updated[0]?.logicalId;
          this.transition(
            stack,
            'UPDATE_ROLLBACK_FAILED',
            stuck
              ? settle('UPDATE_ROLLBACK_FAILED', failedReason('update', [stuck]))
              : () =>
                  this.rollBackUpdate(
                    stack,
                    pending?.op === 'rollback' ? pending.undo : { updated: [], created: [] },
                  ),
          );
          break;
        }
        case 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS':
          this.transition(stack, 'UPDATE_COMPLETE', settle('UPDATE_COMPLETE'));
          break;
        case 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS':
          this.transition(stack, 'UPDATE_ROLLBACK_COMPLETE', settle('UPDATE_ROLLBACK_COMPLETE'));
          break;
        default:
      }
    }
  }

  /** Resolves once no stack is in a transition, and what they changed is written and published. */
  async whenIdle(): Promise<void> {
    if (this.transitioning > 0 && !this.disposed)
      await new Promise<void>((resolveIdle) => this.idleWaiters.push(resolveIdle));
    while (this.writing.size > 0) await Promise.all([...this.writing]);
  }

  /** Stops every pending transition, so that a test runner or a server can exit. */
  dispose(): void {
    this.disposed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.notifyIdle();
  }

  async createStack(input: CreateStackInput, region: string): Promise<CreateStackOutput> {
    const stackName = input.StackName ?? '';
    if (!STACK_NAME.test(stackName)) {
      throw validationError(
        `1 validation error detected: Value '${stackName}' at 'stackName' failed to satisfy constraint: ` +
          'Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*',
      );
    }
    const existing = this.findStack(stackName, region);
    if (existing) {
      if (this.isRetry(existing, input.ClientRequestToken)) return { StackId: existing.stackId };
      throw new CloudFormationError('AlreadyExistsException', `Stack [${stackName}] already exists`);
    }

    const stackId = `arn:${partitionOf(region).partition}:cloudformation:${region}:${this.accountId}:stack/${stackName}/${randomUUID()}`;
    checkStackTags(input.Tags);
    const template = this.parse(input.TemplateBody, input.TemplateURL);
    const parameters = resolveParameterValues(template, input.Parameters);
    this.checkCapabilities(template, input.Capabilities);
    const stack: StackRecord = {
      stackId,
      stackName,
      region,
      status: 'CREATE_IN_PROGRESS',
      creationTime: new Date(),
      deployed: { template, parameters, resources: new Map(), outputs: [] },
      capabilities: input.Capabilities ?? [],
      tags: input.Tags ?? [],
      notificationARNs: input.NotificationARNs ?? [],
      disableRollback: input.DisableRollback ?? false,
      enableTerminationProtection: input.EnableTerminationProtection ?? false,
      roleArn: input.RoleARN,
      clientRequestToken: input.ClientRequestToken,
      events: [],
    };
    this.checkConditions(stack, stack.deployed);

    this.stacksById.set(stackId, stack);
    this.liveStacks.set(`${region}/${stackName}`, stackId);
    const onFailure: OnFailure = input.OnFailure ?? (input.DisableRollback ? 'DO_NOTHING' : 'ROLLBACK');
    stack.pending = { op: 'create', onFailure };
    this.setStatus(stack, 'CREATE_IN_PROGRESS', 'User Initiated');
    this.transition(stack, 'CREATE_FAILED', () => this.runCreate(stack, onFailure));
    return { StackId: stackId };
  }

  async updateStack(input: UpdateStackInput, region: string): Promise<UpdateStackOutput> {
    const stack = this.requireStack(input.StackName, region);
    if (this.isRetry(stack, input.ClientRequestToken)) return { StackId: stack.stackId };
    const { next, tags, unchanged } = this.planUpdate(stack, input);
    if (unchanged) throw validationError('No updates are to be performed.');
    this.startUpdate(stack, next, undefined, {
      tags,
      capabilities: input.Capabilities ?? [],
      notificationARNs: input.NotificationARNs ?? stack.notificationARNs,
      roleArn: input.RoleARN ?? stack.roleArn,
      clientRequestToken: input.ClientRequestToken,
    });
    return { StackId: stack.stackId };
  }

  /** The checks UpdateStack makes before it starts, which CreateChangeSet makes as well. */
  private planUpdate(stack: StackRecord, input: UpdateRequest) {
    if (!UPDATABLE.has(stack.status)) {
      throw validationError(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
    }
    const template = input.UsePreviousTemplate
      ? stack.deployed.template
      : this.parse(input.TemplateBody, input.TemplateURL);
    const parameters = resolveParameterValues(template, input.Parameters, stack.deployed.parameters);
    this.checkCapabilities(template, input.Capabilities);
    checkStackTags(input.Tags);
    const tags = input.Tags ?? stack.tags;
    const next = { template, parameters };
    this.checkConditions(stack, next);
    const unchanged =
      isDeepStrictEqual(template.body, stack.deployed.template.body) &&
      isDeepStrictEqual(parameters, stack.deployed.parameters) &&
      isDeepStrictEqual(tags, stack.tags);
    return { next, tags, unchanged };
  }

  /**
   * Starts an update (UpdateStack, ExecuteChangeSet). The stack's change sets that were not
   * executed are planned against what is about to change: they become OBSOLETE.
   */
  private startUpdate(
    stack: StackRecord,
    next: Pick<Deployment, 'template' | 'parameters'>,
    changeSetId: string | undefined,
    settings: Pick<
      StackRecord,
      'tags' | 'capabilities' | 'notificationARNs' | 'roleArn' | 'clientRequestToken'
    >,
  ): void {
    for (const changeSet of stack.changeSets ?? []) {
      if (changeSet.executionStatus === 'AVAILABLE' || CREATING.has(changeSet.status))
        changeSet.executionStatus = 'OBSOLETE';
    }
    Object.assign(stack, settings);
    stack.changeSetId = changeSetId;
    stack.lastUpdatedTime = new Date();
    stack.pending = { op: 'update', next };
    this.setStatus(stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    this.transition(stack, 'UPDATE_ROLLBACK_FAILED', () => this.runUpdate(stack, next));
  }

  /** Like CloudFormation, deleting a stack that does not exist (or is already gone) succeeds. */
  async deleteStack(input: DeleteStackInput, region: string): Promise<void> {
    const stack = this.findStack(input.StackName ?? '', region);
    if (!stack || stack.status === 'DELETE_COMPLETE' || stack.status === 'DELETE_IN_PROGRESS') return;
    if (stack.status.endsWith('_IN_PROGRESS')) {
      throw validationError(`Stack [${stack.stackName}] cannot be deleted while in status ${stack.status}`);
    }
    if (stack.enableTerminationProtection) {
      throw validationError(
        `Stack [${stack.stackName}] cannot be deleted while TerminationProtection is enabled`,
      );
    }
    stack.clientRequestToken = input.ClientRequestToken;
    stack.pending = { op: 'delete', retain: input.RetainResources ?? [] };
    this.setStatus(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    this.transition(stack, 'DELETE_FAILED', () => this.runDelete(stack, new Set(input.RetainResources)));
  }

  async continueUpdateRollback(input: ContinueUpdateRollbackInput, region: string): Promise<void> {
    const stack = this.requireStack(input.StackName, region);
    if (this.isRetry(stack, input.ClientRequestToken)) return;
    if (stack.status !== 'UPDATE_ROLLBACK_FAILED') {
      throw validationError(
        `Stack:${stack.stackId} is in ${stack.status} state and can not continue the update rollback; ` +
          'only a stack in UPDATE_ROLLBACK_FAILED state can.',
      );
    }
    const skip = new Set(input.ResourcesToSkip);
    const pendingUndo = stack.pendingUndo ?? { updated: [], created: [] };
    const undo = {
      updated: pendingUndo.updated.filter((resource) => !skip.has(resource.logicalId)),
      created: pendingUndo.created,
    };
    stack.pendingUndo = undefined;
    stack.clientRequestToken = input.ClientRequestToken;
    stack.pending = { op: 'rollback', undo };
    this.setStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', 'User Initiated');
    this.transition(stack, 'UPDATE_ROLLBACK_FAILED', async () => {
      await this.pause();
      await this.rollBackUpdate(stack, undo);
    });
  }

  async describeStacks(input: DescribeStacksInput, region: string): Promise<DescribeStacksOutput> {
    if (input.StackName) return { Stacks: [this.describe(this.requireStack(input.StackName, region))] };
    const stacks = [...this.liveStacks.entries()]
      .filter(([key]) => key.startsWith(`${region}/`))
      .map(([, stackId]) => this.stacksById.get(stackId)!)
      .sort((a, b) => b.creationTime.getTime() - a.creationTime.getTime());
    return { Stacks: stacks.map((stack) => this.describe(stack)) };
  }

  /** The template as submitted (`Original`), as JSON text; a deleted stack is not found by name. */
  async getTemplate(input: GetTemplateInput, region: string): Promise<GetTemplateOutput> {
    const stack = this.requireStack(input.StackName, region);
    return { TemplateBody: JSON.stringify(stack.deployed.template.body), StagesAvailable: ['Original'] };
  }

  /** Newest first, a page of 100 at a time, like CloudFormation. */
  async describeStackEvents(
    input: DescribeStackEventsInput,
    region: string,
  ): Promise<DescribeStackEventsOutput> {
    const stack = this.requireStack(input.StackName, region);
    const newestFirst = [...stack.events].reverse();
    const start = Number(input.NextToken ?? 0);
    const page = newestFirst.slice(start, start + EVENTS_PAGE_SIZE).map((event) => ({ ...event }));
    const next = start + EVENTS_PAGE_SIZE;
    return { StackEvents: page, NextToken: next < newestFirst.length ? String(next) : undefined };
  }

  /** The stack's resources as deployed (a stack's, by name or id; `LogicalResourceId` narrows it to one). */
  async describeStackResources(
    input: DescribeStackResourcesInput,
    region: string,
  ): Promise<DescribeStackResourcesOutput> {
    const stack = this.requireStack(input.StackName, region);
    const resources = [...stack.deployed.resources.values()].filter(
      (resource) => input.LogicalResourceId === undefined || resource.logicalId === input.LogicalResourceId,
    );
    return {
      StackResources: resources.map((resource) => ({
        StackName: stack.stackName,
        StackId: stack.stackId,
        LogicalResourceId: resource.logicalId,
        PhysicalResourceId: resource.physicalId,
        ResourceType: resource.type,
        ResourceStatus: this.lastStatusOf(stack, resource.logicalId),
        Timestamp: stack.lastUpdatedTime ?? stack.creationTime,
      })),
    };
  }

  private lastStatusOf(stack: StackRecord, logicalId: string): ResourceStatus {
    const event = stack.events.findLast((e) => e.LogicalResourceId === logicalId);
    return (event?.ResourceStatus ?? 'CREATE_COMPLETE') as ResourceStatus;
  }

  // ---- change sets ----

  /**
   * Plans an update (ChangeSetType UPDATE): the same checks as UpdateStack, then the changes,
   * published a short delay later (CREATE_PENDING, CREATE_IN_PROGRESS, CREATE_COMPLETE). A template,
   * parameters and tags equal to the deployed ones make a FAILED change set, as on AWS.
   */
  async createChangeSet(input: CreateChangeSetInput, region: string): Promise<CreateChangeSetOutput> {
    if (input.ChangeSetType !== undefined && input.ChangeSetType !== 'UPDATE') {
      throw validationError(
        `ChangeSetType ${input.ChangeSetType} is not supported by the local CloudFormation; only UPDATE is`,
      );
    }
    const name = input.ChangeSetName ?? '';
    if (!CHANGE_SET_NAME.test(name)) {
      throw validationError(
        `1 validation error detected: Value '${name}' at 'changeSetName' failed to satisfy constraint: ` +
          'Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*',
      );
    }
    const stack = this.findStack(input.StackName ?? '', region);
    if (!stack || stack.status === 'DELETE_COMPLETE')
      throw validationError(`Stack [${input.StackName ?? ''}] does not exist`);
    const existing = stack.changeSets?.find((changeSet) => changeSet.changeSetName === name);
    if (existing) {
      if (input.ClientToken !== undefined && input.ClientToken === existing.clientToken)
        return { Id: existing.changeSetId, StackId: stack.stackId };
      throw new CloudFormationError(
        'AlreadyExistsException',
        `ChangeSet ${name} cannot be created due to a mismatch with existing attribute ClientToken`,
      );
    }

    const { next, tags, unchanged } = this.planUpdate(stack, input);
    const changeSet: ChangeSetRecord = {
      changeSetId: `arn:${partitionOf(region).partition}:cloudformation:${region}:${this.accountId}:changeSet/${name}/${randomUUID()}`,
      changeSetName: name,
      description: input.Description,
      status: 'CREATE_PENDING',
      executionStatus: 'UNAVAILABLE',
      creationTime: new Date().toISOString(),
      clientToken: input.ClientToken,
      outcome: unchanged ? { failure: NO_CHANGES_REASON } : this.outcomeOf(stack, next),
      next,
      tags,
      capabilities: input.Capabilities ?? [],
      notificationARNs: input.NotificationARNs ?? stack.notificationARNs,
      roleArn: input.RoleARN ?? stack.roleArn,
    };
    (stack.changeSets ??= []).push(changeSet);
    this.persist(stack);
    this.completeChangeSet(stack, changeSet);
    return { Id: changeSet.changeSetId, StackId: stack.stackId };
  }

  /** By ARN, or by name with its stack's; changes a page (100) at a time, once created. */
  async describeChangeSet(input: DescribeChangeSetInput, region: string): Promise<DescribeChangeSetOutput> {
    const { stack, changeSet } = this.requireChangeSet(input, region);
    const changes =
      'changes' in changeSet.outcome && !CREATING.has(changeSet.status) ? changeSet.outcome.changes : [];
    const start = Number(input.NextToken ?? 0);
    const end = start + CHANGES_PAGE_SIZE;
    return {
      ChangeSetName: changeSet.changeSetName,
      ChangeSetId: changeSet.changeSetId,
      StackId: stack.stackId,
      StackName: stack.stackName,
      ...(changeSet.description !== undefined ? { Description: changeSet.description } : {}),
      Parameters: Object.entries(changeSet.next.parameters).map(([key, value]) => ({
        ParameterKey: key,
        ParameterValue: changeSet.next.template.parameters[key]?.noEcho ? '****' : value,
      })),
      CreationTime: new Date(changeSet.creationTime),
      ExecutionStatus: changeSet.executionStatus,
      Status: changeSet.status,
      ...(changeSet.statusReason !== undefined ? { StatusReason: changeSet.statusReason } : {}),
      NotificationARNs: [...changeSet.notificationARNs],
      RollbackConfiguration: {},
      Capabilities: [...changeSet.capabilities],
      Tags: changeSet.tags.map((tag) => ({ ...tag })),
      Changes: structuredClone(changes.slice(start, end)),
      ...(end < changes.length ? { NextToken: String(end) } : {}),
      IncludeNestedStacks: false,
    };
  }

  async listChangeSets(input: ListChangeSetsInput, region: string): Promise<ListChangeSetsOutput> {
    const stack = this.findStack(input.StackName ?? '', region);
    if (!stack) throw validationError(`Stack [${input.StackName ?? ''}] does not exist`);
    const summaries = (stack.changeSets ?? []).map((changeSet): ChangeSetSummary => ({
      StackId: stack.stackId,
      StackName: stack.stackName,
      ChangeSetId: changeSet.changeSetId,
      ChangeSetName: changeSet.changeSetName,
      ExecutionStatus: changeSet.executionStatus,
      Status: changeSet.status,
      ...(changeSet.statusReason !== undefined ? { StatusReason: changeSet.statusReason } : {}),
      CreationTime: new Date(changeSet.creationTime),
      ...(changeSet.description !== undefined ? { Description: changeSet.description } : {}),
      IncludeNestedStacks: false,
    }));
    return { Summaries: summaries };
  }

  /**
   * Updates the stack as planned, by the same path as UpdateStack (same events, statuses, failure
   * rules); every other change set of the stack is deleted, as CloudFormation does. The change set
   * then reads EXECUTE_IN_PROGRESS, and EXECUTE_COMPLETE or EXECUTE_FAILED once the stack settles.
   */
  async executeChangeSet(input: ExecuteChangeSetInput, region: string): Promise<void> {
    const { stack, changeSet } = this.requireChangeSet(input, region);
    if (changeSet.executeToken !== undefined && changeSet.executeToken === input.ClientRequestToken) return;
    const refuse = (why: string) =>
      new CloudFormationError(
        'InvalidChangeSetStatusException',
        `ChangeSet [${changeSet.changeSetId}] cannot be executed ${why}`,
      );
    if (changeSet.status !== 'CREATE_COMPLETE')
      throw refuse(`in its current status of [${changeSet.status}]`);
    if (changeSet.executionStatus !== 'AVAILABLE')
      throw refuse(`in its current execution status of [${changeSet.executionStatus}]`);
    if (!UPDATABLE.has(stack.status)) throw refuse(`while its stack is in ${stack.status} state`);

    stack.changeSets = [changeSet];
    changeSet.executionStatus = 'EXECUTE_IN_PROGRESS';
    changeSet.executeToken = input.ClientRequestToken;
    this.startUpdate(stack, changeSet.next, changeSet.changeSetId, {
      tags: changeSet.tags,
      capabilities: changeSet.capabilities,
      notificationARNs: changeSet.notificationARNs,
      roleArn: changeSet.roleArn,
      clientRequestToken: input.ClientRequestToken,
    });
  }

  /** Deleting one that does not exist succeeds (as measured on AWS); its stack must exist. */
  async deleteChangeSet(input: DeleteChangeSetInput, region: string): Promise<void> {
    const { stack, changeSet } = this.findChangeSet(input, region);
    if (!stack || !changeSet) return;
    if (CREATING.has(changeSet.status) || changeSet.executionStatus === 'EXECUTE_IN_PROGRESS') {
      throw new CloudFormationError(
        'InvalidChangeSetStatusException',
        'An operation on this ChangeSet is currently in progress. Please attempt this operation again later.',
      );
    }
    stack.changeSets = stack.changeSets?.filter((other) => other !== changeSet);
    this.persist(stack);
  }

  /**
   * A change set by ARN (its stack may be deleted) or by name within its stack, as CloudFormation
   * looks them up; the stack must exist when named.
   */
  private findChangeSet(
    input: { StackName?: string; ChangeSetName?: string },
    region: string,
  ): { stack?: StackRecord; changeSet?: ChangeSetRecord } {
    const name = input.ChangeSetName ?? '';
    if (name.startsWith('arn:')) {
      for (const stack of this.stacksById.values()) {
        const changeSet = stack.changeSets?.find((candidate) => candidate.changeSetId === name);
        if (changeSet) return { stack, changeSet };
      }
      return {};
    }
    if (!input.StackName)
      throw validationError('StackName must be specified if ChangeSetName is not specified as an ARN.');
    const stack = this.findStack(input.StackName, region);
    if (!stack) throw validationError(`Stack [${input.StackName}] does not exist`);
    return { stack, changeSet: stack.changeSets?.find((candidate) => candidate.changeSetName === name) };
  }

  private requireChangeSet(input: { StackName?: string; ChangeSetName?: string }, region: string) {
    const { stack, changeSet } = this.findChangeSet(input, region);
    if (!stack || !changeSet) {
      throw new CloudFormationError(
        'ChangeSetNotFoundException',
        `ChangeSet [${input.ChangeSetName ?? ''}] does not exist`,
      );
    }
    return { stack, changeSet };
  }

  /** The changes, or why CloudFormation would fail the change set (a value that cannot be resolved). */
  private outcomeOf(
    stack: StackRecord,
    next: Pick<Deployment, 'template' | 'parameters'>,
  ): ChangeSetRecord['outcome'] {
    try {
      return {
        changes: planChanges({
          deployed: stack.deployed,
          next,
          spec: this.spec,
          context: (resources) => this.resolveContext(stack, next, resources),
        }),
      };
    } catch (error) {
      if (error instanceof TemplateError) return { failure: error.message };
      throw error;
    }
  }

  /** CREATE_PENDING → CREATE_IN_PROGRESS → CREATE_COMPLETE (AVAILABLE) or FAILED (UNAVAILABLE). */
  private completeChangeSet(stack: StackRecord, changeSet: ChangeSetRecord): void {
    const fail = (reason: string) => {
      changeSet.status = 'FAILED';
      changeSet.statusReason = reason;
      this.persist(stack);
    };
    this.background(
      async () => {
        const step = Math.min(this.delayMs, CHANGE_SET_STEP_MAX_MS);
        if (changeSet.status === 'CREATE_PENDING') {
          await this.pause(step);
          changeSet.status = 'CREATE_IN_PROGRESS';
          this.persist(stack);
        }
        await this.pause(step);
        if ('failure' in changeSet.outcome) return fail(changeSet.outcome.failure);
        changeSet.status = 'CREATE_COMPLETE';
        // One the stack was updated meanwhile stays OBSOLETE.
        if (changeSet.executionStatus === 'UNAVAILABLE') changeSet.executionStatus = 'AVAILABLE';
        this.persist(stack);
      },
      (error) => fail(`Internal failure: ${error.message}`),
    );
  }

  /** A request carrying the token of the stack's latest operation is a retry of it, and succeeds. */
  private isRetry(stack: StackRecord, clientRequestToken: string | undefined): boolean {
    return clientRequestToken !== undefined && clientRequestToken === stack.clientRequestToken;
  }

  // ---- transitions ----

  private async runCreate(stack: StackRecord, onFailure: OnFailure): Promise<void> {
    await this.pause();
    const result = this.provision(stack, 'create', stack.deployed, new Map());
    if (result.ok) {
      stack.deployed = { ...stack.deployed, resources: result.resources, outputs: result.outputs };
      this.setStatus(stack, 'CREATE_COMPLETE');
      return;
    }
    if (onFailure === 'DO_NOTHING') {
      stack.deployed.resources = result.resources;
      this.setStatus(stack, 'CREATE_FAILED', result.reason);
      return;
    }
    if (onFailure === 'DELETE') {
      stack.deployed.resources = result.resources;
      stack.pending = { op: 'delete', retain: [] };
      this.setStatus(stack, 'DELETE_IN_PROGRESS', `${result.reason}Delete requested by user.`);
      await this.runDelete(stack, new Set());
      return;
    }
    this.setStatus(stack, 'ROLLBACK_IN_PROGRESS', `${result.reason}Rollback requested by user.`);
    const deletion = this.deleteResources(stack, 'rollback', [...result.resources.values()].reverse());
    stack.deployed.resources = new Map(deletion.remaining.map((resource) => [resource.logicalId, resource]));
    await this.pause();
    if (deletion.failed) this.setStatus(stack, 'ROLLBACK_FAILED', failedReason('delete', [deletion.failed]));
    else this.setStatus(stack, 'ROLLBACK_COMPLETE');
  }

  private async runUpdate(
    stack: StackRecord,
    next: Pick<Deployment, 'template' | 'parameters'>,
  ): Promise<void> {
    await this.pause();
    const previous = stack.deployed;
    const result = this.provision(stack, 'update', next, previous.resources);
    if (!result.ok) {
      stack.pending = { op: 'rollback', undo: result.undo };
      this.setStatus(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', result.reason);
      await this.rollBackUpdate(stack, result.undo);
      return;
    }
    // Replaced or removed resources are deleted after the stack has moved to the new ones.
    const obsolete = [...previous.resources.values()]
      .filter((resource) => result.resources.get(resource.logicalId)?.type !== resource.type)
      .reverse();
    stack.deployed = { ...next, resources: result.resources, outputs: result.outputs };
    this.setStatus(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    this.deleteResources(stack, 'cleanup', obsolete);
    await this.pause();
    this.setStatus(stack, 'UPDATE_COMPLETE');
  }

  /** Puts back the previous version of what the update changed, then deletes what it created. */
  private async rollBackUpdate(stack: StackRecord, undo: UpdateUndo): Promise<void> {
    const toRestore = [...undo.updated].reverse();
    for (const [i, resource] of toRestore.entries()) {
      this.resourceEvent(stack, resource, 'UPDATE_IN_PROGRESS');
      const failure = this.takeFailureRule(stack, 'rollback', resource.logicalId);
      if (failure) {
        this.resourceEvent(stack, resource, 'UPDATE_FAILED', failure);
        stack.pendingUndo = { updated: toRestore.slice(i).reverse(), created: undo.created };
        await this.pause();
        this.setStatus(stack, 'UPDATE_ROLLBACK_FAILED', failedReason('update', [resource.logicalId]));
        return;
      }
      this.resourceEvent(stack, resource, 'UPDATE_COMPLETE');
    }
    await this.pause();
    this.setStatus(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    this.deleteResources(stack, 'cleanup', [...undo.created].reverse());
    await this.pause();
    this.setStatus(stack, 'UPDATE_ROLLBACK_COMPLETE');
  }

  private async runDelete(stack: StackRecord, retain: Set<string>): Promise<void> {
    await this.pause();
    const { template, resources } = stack.deployed;
    const newestFirst = [...template.order]
      .reverse()
      .flatMap((logicalId) => resources.get(logicalId) ?? [])
      .concat([...resources.values()].filter((resource) => !template.order.includes(resource.logicalId)));
    const deletion = this.deleteResources(stack, 'delete', newestFirst, retain);
    if (deletion.failed) {
      stack.deployed.resources = new Map(
        deletion.remaining.map((resource) => [resource.logicalId, resource]),
      );
      this.setStatus(stack, 'DELETE_FAILED', failedReason('delete', [deletion.failed]));
      return;
    }
    stack.deployed.resources = new Map();
    stack.deletionTime = new Date();
    this.liveStacks.delete(`${stack.region}/${stack.stackName}`);
    // Its change sets go with it; an executed one stays describable by ARN, as on AWS.
    stack.changeSets = stack.changeSets?.filter((changeSet) =>
      changeSet.executionStatus.startsWith('EXECUTE_'),
    );
    this.setStatus(stack, 'DELETE_COMPLETE');
  }

  // ---- resources ----

  /**
   * Creates or updates, in dependency order, every resource whose resolved properties changed.
   * Synchronous: a stack takes a few status steps whatever its size.
   */
  private provision(
    stack: StackRecord,
    operation: 'create' | 'update',
    next: Pick<Deployment, 'template' | 'parameters'>,
    previous: Map<string, LiveResource>,
  ): ProvisionResult {
    const resources = new Map<string, LiveResource>();
    const undo: UpdateUndo = { updated: [], created: [] };
    const ctx = this.resolveContext(stack, next, resources);

    for (const logicalId of next.template.order) {
      const declaration = next.template.resources[logicalId]!;
      if (declaration.condition !== undefined && !ctx.condition(declaration.condition)) continue;
      const before = previous.get(logicalId);
      const current = before?.type === declaration.type ? before : undefined;
      const action = current ? 'UPDATE' : 'CREATE';
      const pending = {
        logicalId,
        type: declaration.type,
        properties: declaration.properties,
        deletionPolicy: declaration.deletionPolicy,
        physicalId: current?.physicalId ?? '',
        attributes: {},
      };

      let properties: Record<string, unknown>;
      try {
        properties = resolve(declaration.properties, ctx) as Record<string, unknown>;
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        return this.failResource(stack, pending, action, error.message, resources, undo, current);
      }
      if (current && isDeepStrictEqual(current.properties, properties)) {
        resources.set(logicalId, current);
        continue;
      }

      const resource = { ...pending, properties };
      this.resourceEvent(stack, resource, `${action}_IN_PROGRESS`);
      const failure = this.resourceFailure(stack, operation, resource);
      if (failure) return this.failResource(stack, resource, action, failure, resources, undo, current);

      const live: LiveResource = {
        ...resource,
        ...simulateResource({
          logicalId,
          type: declaration.type,
          properties,
          schema: this.spec.resource(
            isCustomType(declaration.type) ? 'AWS::CloudFormation::CustomResource' : declaration.type,
          ),
          stackId: stack.stackId,
          stackName: stack.stackName,
          region: stack.region,
          accountId: this.accountId,
          previous: current,
          findResource: (id) => this.findResource(id, resources.values()),
        }),
      };
      const effectFailure = this.effects?.provisioned(live, {
        region: stack.region,
        previous: current,
        findResource: (id) => this.findResource(id, resources.values()),
      });
      if (effectFailure)
        return this.failResource(stack, live, action, effectFailure, resources, undo, current);
      resources.set(logicalId, live);
      if (current) undo.updated.push(current);
      else undo.created.push(live);
      this.resourceEvent(stack, live, `${action}_COMPLETE`);
    }

    try {
      return { ok: true, resources, outputs: this.resolveOutputs(next.template, ctx), undo };
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return { ok: false, reason: `${error.message} `, resources, undo };
    }
  }

  private failResource(
    stack: StackRecord,
    resource: LiveResource,
    action: 'CREATE' | 'UPDATE',
    reason: string,
    resources: Map<string, LiveResource>,
    undo: UpdateUndo,
    current: LiveResource | undefined,
  ): ProvisionResult {
    this.resourceEvent(stack, resource, `${action}_FAILED`, reason);
    // A resource that failed half-way is rolled back like the ones that completed.
    if (current) {
      undo.updated.push(current);
    } else {
      resources.set(resource.logicalId, resource);
      undo.created.push(resource);
    }
    return {
      ok: false,
      reason: failedReason(action === 'CREATE' ? 'create' : 'update', [resource.logicalId]),
      resources,
      undo,
    };
  }

  /**
   * Why the resource fails: properties that do not match the spec (types, names, required ones) or
   * break its provider's schema (values and combinations), or a failure rule.
   */
  private resourceFailure(
    stack: StackRecord,
    operation: Operation,
    resource: LiveResource,
  ): string | undefined {
    if (!isCustomType(resource.type)) {
      const schema = this.spec.resource(resource.type);
      const invalid =
        (schema && propertiesError(resource.logicalId, schema, resource.properties, this.spec)) ||
        registryPropertiesError(resource.logicalId, resource.type, resource.properties);
      if (invalid) return invalid;
    }
    return this.takeFailureRule(stack, operation, resource.logicalId);
  }

  /** Deletes in the given order; stops at the first failure, as CloudFormation does. */
  private deleteResources(
    stack: StackRecord,
    operation: 'delete' | 'rollback' | 'cleanup',
    resources: LiveResource[],
    retain = new Set<string>(),
  ): { failed?: string; remaining: LiveResource[] } {
    for (const [i, resource] of resources.entries()) {
      if (retain.has(resource.logicalId) || resource.deletionPolicy === 'Retain') {
        this.resourceEvent(stack, resource, 'DELETE_SKIPPED');
        continue;
      }
      this.resourceEvent(stack, resource, 'DELETE_IN_PROGRESS');
      // A failed cleanup leaves a resource behind but does not fail the stack, so it is not checked.
      const failure =
        operation === 'cleanup'
          ? undefined
          : (this.effects?.deletionFailure?.(resource) ??
            this.takeFailureRule(stack, operation, resource.logicalId));
      if (failure) {
        this.resourceEvent(stack, resource, 'DELETE_FAILED', failure);
        return { failed: resource.logicalId, remaining: resources.slice(i) };
      }
      this.effects?.deleted(resource);
      this.resourceEvent(stack, resource, 'DELETE_COMPLETE');
    }
    return { remaining: [] };
  }

  private takeFailureRule(stack: StackRecord, operation: Operation, logicalId: string): string | undefined {
    const index = this.failureRules.findIndex(
      (rule) =>
        globToRegExp(rule.stackName).test(stack.stackName) &&
        (rule.logicalId === undefined || rule.logicalId === logicalId) &&
        (rule.operation === undefined
          ? operation === 'create' || operation === 'update'
          : rule.operation === operation),
    );
    const rule = this.failureRules[index];
    if (!rule) return undefined;
    if (rule.once) {
      this.failureRules.splice(index, 1);
      this.state?.saveFailureRules(this.failureRules);
    }
    return rule.reason ?? `Simulated failure requested for ${logicalId}`;
  }

  /**
   * A resource being provisioned, or any resource of any stack, by physical id or by an attribute
   * value such as its ARN.
   */
  private findResource(id: string, provisioning: Iterable<LiveResource>): KnownResource | undefined {
    const candidates = [
      provisioning,
      ...[...this.stacksById.values()].map((stack) => stack.deployed.resources.values()),
    ];
    for (const resources of candidates) {
      for (const resource of resources) {
        if (resource.physicalId === id || Object.values(resource.attributes).includes(id)) return resource;
      }
    }
    return undefined;
  }

  // ---- template evaluation ----

  /** CloudFormation's size limits: 51,200 bytes inline, 1 MB from S3 (checkTemplateSize). */
  private parse(templateBody: string | undefined, templateUrl: string | undefined): Template {
    if (templateBody === undefined && templateUrl !== undefined) {
      const body = this.templateSource?.(templateUrl);
      if (body === undefined) {
        throw validationError('TemplateURL must reference a valid S3 object to which you have access.');
      }
      checkTemplateSize(body, 'TemplateURL');
      return parseTemplate(body, this.spec);
    }
    if (templateBody !== undefined) checkTemplateSize(templateBody, 'TemplateBody');
    return parseTemplate(templateBody, this.spec);
  }

  private checkCapabilities(template: Template, given: Capability[] = []): void {
    const required = requiredCapability(template);
    if (
      !required ||
      given.includes('CAPABILITY_NAMED_IAM') ||
      (required === 'CAPABILITY_IAM' && given.includes(required))
    ) {
      return;
    }
    throw new CloudFormationError(
      'InsufficientCapabilitiesException',
      `Requires capabilities : [${required}]`,
    );
  }

  /** Conditions depend only on parameters, so CloudFormation rejects bad ones before starting. */
  private checkConditions(stack: StackRecord, deployment: Pick<Deployment, 'template' | 'parameters'>): void {
    const ctx = this.resolveContext(stack, deployment, new Map());
    try {
      for (const name of Object.keys(deployment.template.conditions)) ctx.condition(name);
    } catch (error) {
      if (error instanceof TemplateError) throw validationError(error.message);
      throw error;
    }
  }

  private resolveContext(
    stack: Pick<StackRecord, 'stackId' | 'stackName' | 'region' | 'notificationARNs'>,
    { template, parameters }: Pick<Deployment, 'template' | 'parameters'>,
    resources: Map<string, LiveResource>,
  ): ResolveContext {
    const { partition, urlSuffix } = partitionOf(stack.region);
    const conditions = new Map<string, boolean>();
    const evaluating = new Set<string>();
    const resource = (logicalId: string) => {
      const found = resources.get(logicalId);
      if (!found) {
        throw new TemplateError(
          `Template format error: Unresolved resource dependencies [${logicalId}] in the Resources block of the template`,
        );
      }
      return found;
    };

    const ctx: ResolveContext = {
      region: stack.region,
      pseudo: {
        'AWS::AccountId': this.accountId,
        'AWS::NotificationARNs': stack.notificationARNs,
        'AWS::Partition': partition,
        'AWS::Region': stack.region,
        'AWS::StackId': stack.stackId,
        'AWS::StackName': stack.stackName,
        'AWS::URLSuffix': urlSuffix,
      },
      parameters: parameterRefValues(template, parameters),
      mappings: template.mappings,
      condition: (name) => {
        const known = conditions.get(name);
        if (known !== undefined) return known;
        if (!(name in template.conditions)) {
          throw new TemplateError(`Template error: unresolved condition dependency ${name} in Fn::If`);
        }
        if (evaluating.has(name))
          throw new TemplateError(`Template error: circular condition dependency ${name}`);
        evaluating.add(name);
        const value = evaluateCondition(template.conditions[name], ctx);
        evaluating.delete(name);
        conditions.set(name, value);
        return value;
      },
      ref: (logicalId) => resource(logicalId).physicalId,
      getAtt: (logicalId, attribute) => {
        const found = resource(logicalId);
        if (attribute in found.attributes) return found.attributes[attribute];
        // Custom resources and nested stack outputs return whatever their provider says.
        if (isCustomType(found.type) || found.type === 'AWS::CloudFormation::Stack')
          return `${found.physicalId}.${attribute}`;
        throw new TemplateError(
          `Template error: resource ${logicalId} does not support attribute type ${attribute} in Fn::GetAtt`,
        );
      },
      importValue: (name) => this.exportedValue(stack.region, name) ?? `imported:${name}`,
    };
    return ctx;
  }

  private resolveOutputs(template: Template, ctx: ResolveContext): Output[] {
    const outputs: Output[] = [];
    for (const [key, declaration] of Object.entries(template.outputs)) {
      if (declaration.condition !== undefined && !ctx.condition(declaration.condition)) continue;
      const value = resolve(declaration.value, ctx);
      if (Array.isArray(value) || typeof value === 'object') {
        throw new TemplateError(
          'Template format error: The Value field of every Outputs member must evaluate to a String and not a List.',
        );
      }
      const output: Output = { OutputKey: key, OutputValue: String(value) };
      if (declaration.description !== undefined) output.Description = declaration.description;
      if (declaration.exportName !== undefined)
        output.ExportName = String(resolve(declaration.exportName, ctx));
      outputs.push(output);
    }
    return outputs;
  }

  private exportedValue(region: string, exportName: string): string | undefined {
    for (const stackId of this.liveStacks.values()) {
      const stack = this.stacksById.get(stackId)!;
      if (stack.region !== region) continue;
      const output = stack.deployed.outputs.find((candidate) => candidate.ExportName === exportName);
      if (output) return output.OutputValue;
    }
    return undefined;
  }

  // ---- stacks, events, timing ----

  /** By name among live stacks of the region, or by stack id (which also finds deleted stacks). */
  private findStack(nameOrId: string, region: string): StackRecord | undefined {
    if (nameOrId.startsWith('arn:')) return this.stacksById.get(nameOrId);
    const stackId = this.liveStacks.get(`${region}/${nameOrId}`);
    return stackId === undefined ? undefined : this.stacksById.get(stackId);
  }

  private requireStack(nameOrId: string | undefined, region: string): StackRecord {
    const stack = this.findStack(nameOrId ?? '', region);
    if (!stack) throw validationError(`Stack with id ${nameOrId ?? ''} does not exist`);
    return stack;
  }

  private describe(stack: StackRecord): Stack {
    const { template, parameters, outputs } = stack.deployed;
    const described: Stack = {
      StackId: stack.stackId,
      StackName: stack.stackName,
      Description: template.description,
      Parameters: Object.entries(parameters).map(([key, value]) => ({
        ParameterKey: key,
        ParameterValue: template.parameters[key]?.noEcho ? '****' : value,
      })),
      CreationTime: stack.creationTime,
      LastUpdatedTime: stack.lastUpdatedTime,
      DeletionTime: stack.deletionTime,
      StackStatus: stack.status,
      StackStatusReason: stack.reason,
      ChangeSetId: stack.changeSetId,
      DisableRollback: stack.disableRollback,
      NotificationARNs: [...stack.notificationARNs],
      Capabilities: [...stack.capabilities],
      Outputs: outputs.map((output) => ({ ...output })),
      RoleARN: stack.roleArn,
      Tags: stack.tags.map((tag) => ({ ...tag })),
      EnableTerminationProtection: stack.enableTerminationProtection,
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    };
    return Object.fromEntries(Object.entries(described).filter(([, value]) => value !== undefined)) as Stack;
  }

  private resourceEvent(
    stack: StackRecord,
    resource: Pick<LiveResource, 'logicalId' | 'type' | 'physicalId' | 'properties'>,
    status: ResourceStatus,
    reason?: string,
  ): void {
    this.recordEvent(stack, {
      LogicalResourceId: resource.logicalId,
      PhysicalResourceId: resource.physicalId,
      ResourceType: resource.type,
      ResourceStatus: status,
      ResourceStatusReason: reason,
      ResourceProperties: status.endsWith('_IN_PROGRESS') ? JSON.stringify(resource.properties) : undefined,
    });
  }

  private recordEvent(
    stack: StackRecord,
    event: Omit<StackEvent, 'EventId' | 'StackId' | 'StackName' | 'Timestamp'>,
  ) {
    const entry: StackEvent = {
      EventId: randomUUID(),
      StackId: stack.stackId,
      StackName: stack.stackName,
      Timestamp: new Date(),
      ...event,
      ClientRequestToken: stack.clientRequestToken,
    };
    stack.events.push(
      Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined)) as StackEvent,
    );
    this.unsaved.add(stack);
  }

  private setStatus(stack: StackRecord, status: StackStatus, reason?: string): void {
    stack.status = status;
    stack.reason = reason;
    if (!status.endsWith('_IN_PROGRESS')) {
      stack.pending = undefined;
      for (const changeSet of stack.changeSets ?? []) {
        if (changeSet.executionStatus === 'EXECUTE_IN_PROGRESS')
          changeSet.executionStatus = status === 'UPDATE_COMPLETE' ? 'EXECUTE_COMPLETE' : 'EXECUTE_FAILED';
      }
    }
    this.recordEvent(stack, {
      LogicalResourceId: stack.stackName,
      PhysicalResourceId: stack.stackId,
      ResourceType: 'AWS::CloudFormation::Stack',
      // Stack events carry the stack's status in the resource status field.
      ResourceStatus: status as ResourceStatus,
      ResourceStatusReason: reason,
    });
    // With a state folder, on disk before anyone hears of it.
    const saved = this.save();
    if (!saved) return this.publish(stack, status, reason ?? '');
    this.track(
      saved.then(() => {
        if (!this.disposed) this.publish(stack, status, reason ?? '');
      }),
    );
  }

  /**
   * Writes every stack changed since it was last written, in the background, in order per stack;
   * undefined without a state folder.
   */
  private save(): Promise<void> | undefined {
    if (!this.state || this.disposed) return undefined;
    const written = Promise.all([...this.unsaved].map((stack) => this.state!.save(stack))).then(() => {});
    this.unsaved.clear();
    return written;
  }

  /** Writes the stack in the background, for changes that come without a status (its change sets). */
  private persist(stack: StackRecord): void {
    this.unsaved.add(stack);
    this.saveInBackground();
  }

  private saveInBackground(): void {
    const saved = this.save();
    if (saved) this.track(saved);
  }

  private track(work: Promise<void>): void {
    this.writing.add(work);
    void work.finally(() => this.writing.delete(work));
  }

  private publish(stack: StackRecord, status: StackStatus, reason: string): void {
    if (!this.onStatusChange) return;
    const event: StackStatusChangeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'CloudFormation Stack Status Change',
      source: 'aws.cloudformation',
      account: this.accountId,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: stack.region,
      resources: [stack.stackId],
      detail: {
        'stack-id': stack.stackId,
        'status-details': { status, 'status-reason': reason },
        ...(stack.clientRequestToken ? { 'client-request-token': stack.clientRequestToken } : {}),
      },
    };
    // A failing subscriber must not break the stack's walk, as EventBridge would not.
    try {
      void Promise.resolve(this.onStatusChange(event)).catch(() => undefined);
    } catch {
      // ignored, see above
    }
  }

  /** Runs a transition in the background; an unexpected error ends it in `failedStatus`. */
  private transition(stack: StackRecord, failedStatus: StackStatus, work: () => Promise<void>): void {
    this.background(work, (error) =>
      this.setStatus(stack, failedStatus, `Internal failure: ${error.message}`),
    );
  }

  /** Work that `whenIdle()` waits for; `onError` gets what it throws (unless disposed meanwhile). */
  private background(work: () => Promise<void>, onError: (error: Error) => void): void {
    this.transitioning++;
    work()
      .catch((error: unknown) => {
        if (!this.disposed) onError(error as Error);
      })
      .finally(() => {
        this.transitioning--;
        if (this.transitioning === 0) this.notifyIdle();
      });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private pause(ms = this.delayMs): Promise<void> {
    this.saveInBackground();
    if (this.disposed) return new Promise(() => undefined);
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        done();
      }, ms);
      this.timers.add(timer);
    });
  }
}
