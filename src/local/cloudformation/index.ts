export { LocalCloudFormation } from './local-cloudformation';
export type { FailureRule, LocalCloudFormationOptions, StackStatusChangeEvent } from './local-cloudformation';
export { CloudFormationError, isCloudFormationError } from './errors';
export type { CloudFormationErrorCode } from './errors';
export { loadResourceSpec } from './spec';
export type { ResourceSpec } from './spec';
export { createOnlyProperties, loadRegistrySchemas } from './registry-schemas';
export type { RegistrySchemas } from './registry-schemas';
export { checkTemplateSize, STACK_TAG_LIMITS, TEMPLATE_LIMITS } from './template';
