/** The errors CloudFormation returns that the simulation reproduces, by the SDK's names for them. */
export type CloudFormationErrorCode =
  | 'ValidationError'
  | 'AlreadyExistsException'
  | 'InsufficientCapabilitiesException'
  | 'ChangeSetNotFoundException'
  | 'InvalidChangeSetStatusException';

/**
 * An error shaped like the SDK's service exceptions where callers look (`name` is the SDK's name:
 * the AWS error code, or its exception class where the SDK has one, as for `ChangeSetNotFound`),
 * without the SDK-only `$fault`/`$metadata`, since nothing here went over the wire.
 */
export class CloudFormationError extends Error {
  override readonly name: CloudFormationErrorCode;

  constructor(code: CloudFormationErrorCode, message: string) {
    super(message);
    this.name = code;
  }
}

export function isCloudFormationError(
  error: unknown,
  code?: CloudFormationErrorCode,
): error is CloudFormationError {
  return error instanceof CloudFormationError && (code === undefined || error.name === code);
}

export const validationError = (message: string): CloudFormationError =>
  new CloudFormationError('ValidationError', message);
