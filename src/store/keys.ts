/**
 * Single-table key layout. Every tenant-owned item's partition key starts with the tenant, so a
 * request can only ever address its own tenant's items; another tenant's id simply is not found.
 * The state machines write some of these items directly (see statemachines/*.asl.json): keep the
 * two in step.
 */
export const keys = {
  tenantProfile: (tenantId: string) => ({ pk: `T#${tenantId}`, sk: 'PROFILE' }),
  stack: (tenantId: string, stackId: string) => ({ pk: `T#${tenantId}`, sk: `STACK#${stackId}` }),
  /** A stack's name, claimed in its tenant whatever its case (the docs find a stage's secrets by it). */
  stackName: (tenantId: string, name: string) => ({
    pk: `T#${tenantId}`,
    sk: `STACKNAME#${name.toLowerCase()}`,
  }),
  stage: (tenantId: string, stackId: string, stageName: string) => ({
    pk: `T#${tenantId}#S#${stackId}`,
    sk: `STAGE#${stageName}`,
  }),
  operation: (tenantId: string, operationId: string) => ({ pk: `T#${tenantId}`, sk: `OP#${operationId}` }),
  idempotency: (tenantId: string, key: string) => ({ pk: `T#${tenantId}`, sk: `IDEM#${key}` }),
  subscription: (tenantId: string, subscriptionId: string) => ({
    pk: `T#${tenantId}`,
    sk: `SUB#${subscriptionId}`,
  }),
  /** How many subscriptions the tenant has (bounded: every event is fanned out to all of them). */
  subscriptionCount: (tenantId: string) => ({ pk: `T#${tenantId}`, sk: 'SUBCOUNT' }),
  deadLetter: (tenantId: string, subscriptionId: string, deadLetterId: string) => ({
    pk: `T#${tenantId}#SUB#${subscriptionId}`,
    sk: `DL#${deadLetterId}`,
  }),
  stackWait: (region: string, cfnStackName: string) => ({ pk: `WAIT#${region}#${cfnStackName}`, sk: 'WAIT' }),
  /** A deployment of one of the stack's stages (src/store/deployments.ts); its id is time-ordered. */
  deployment: (tenantId: string, stackId: string, deploymentId: string) => ({
    pk: `T#${tenantId}#S#${stackId}`,
    sk: `DEPLOY#${deploymentId}`,
  }),
  // Pipeline runs and approvals (src/store/pipelines.ts)
  run: (tenantId: string, runId: string) => ({ pk: `T#${tenantId}`, sk: `RUN#${runId}` }),
  approval: (tenantId: string, approvalId: string) => ({ pk: `T#${tenantId}`, sk: `APPROVAL#${approvalId}` }),
  /** A GitHub delivery, remembered for 8 days (GitHub redelivers with the same id for up to 7). */
  delivery: (tenantId: string, stackId: string, deliveryId: string) => ({
    pk: `T#${tenantId}`,
    sk: `DELIVERY#${stackId}#${deliveryId}`,
  }),
  /** The newest run waiting for a stage's deploy window: an older one waiting there is superseded. */
  windowWait: (tenantId: string, stackId: string, stageName: string) => ({
    pk: `T#${tenantId}#S#${stackId}`,
    sk: `WINDOW#${stageName}`,
  }),
  /** Which run a pipeline execution builds: pipeline events name only the pipeline and execution. */
  pipelineExecution: (region: string, pipelineName: string, executionId: string) => ({
    pk: `PEXEC#${region}#${pipelineName}#${executionId}`,
    sk: 'PEXEC',
  }),
};

/** GSI1 orderings: stages of a stack in creation order, operations of a stack newest first. */
export const gsi1 = {
  stagesOf: (tenantId: string, stackId: string) => `T#${tenantId}#S#${stackId}#STAGES`,
  operationsOf: (tenantId: string, stackId: string) => `T#${tenantId}#S#${stackId}#OPS`,
  runsOf: (tenantId: string, stackId: string) => `T#${tenantId}#S#${stackId}#RUNS`,
  /** A stage's deployments, newest first; a stage created again under the same name starts afresh. */
  deploymentsOf: (tenantId: string, stackId: string, stageName: string, stageCreatedAt: string) =>
    `T#${tenantId}#S#${stackId}#DEPLOYS#${stageName}#${stageCreatedAt}`,
  /** Sparse: only approvals still PENDING carry it. */
  pendingApprovalsOf: (tenantId: string) => `T#${tenantId}#APPROVALS#PENDING`,
};

export const GSI1 = 'gsi1';
