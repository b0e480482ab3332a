/**
 * Single-table key layout. Every tenant-owned item's partition key starts with the tenant, so a
 * request can only ever address its own tenant's items; another tenant's id simply is not found.
 * The state machines write some of these items directly (see statemachines/*.asl.json): keep the
 * two in step.
 */
export const keys = {
  tenantProfile: (tenantId: string) => ({ pk: `T#${tenantId}`, sk: 'PROFILE' }),
  stack: (tenantId: string, stackId: string) => ({ pk: `T#${tenantId}`, sk: `STACK#${stackId}` }),
  stage: (tenantId: string, stackId: string, stageName: string) => ({
    pk: `T#${tenantId}#S#${stackId}`,
    sk: `STAGE#${stageName}`,
  }),
  operation: (tenantId: string, operationId: string) => ({ pk: `T#${tenantId}`, sk: `OP#${operationId}` }),
  idempotency: (tenantId: string, key: string) => ({ pk: `T#${tenantId}`, sk: `IDEM#${key}` }),
  stackWait: (region: string, cfnStackName: string) => ({ pk: `WAIT#${region}#${cfnStackName}`, sk: 'WAIT' }),
};

/** GSI1 orderings: stages of a stack in creation order, operations of a stack newest first. */
export const gsi1 = {
  stagesOf: (tenantId: string, stackId: string) => `T#${tenantId}#S#${stackId}#STAGES`,
  operationsOf: (tenantId: string, stackId: string) => `T#${tenantId}#S#${stackId}#OPS`,
};

export const GSI1 = 'gsi1';
