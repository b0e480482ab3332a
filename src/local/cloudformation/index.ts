export { LocalCloudFormation } from './local-cloudformation';
export type { FailureRule, LocalCloudFormationOptions, StackStatusChangeEvent } from './local-cloudformation';
export { CloudFormationError, isCloudFormationError } from './errors';
export type { CloudFormationErrorCode } from './errors';
export { loadResourceSpec } from './spec';
export type { ResourceSpec } from './spec';
