const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  // S3's.
  'SlowDown',
]);

/**
 * Services name throttling differently (CloudFormation and STS say `Throttling`, most others
 * `ThrottlingException`); the SDK marks all of them `$retryable.throttling`. By the time an error
 * reaches us, the SDK's own retries are spent.
 */
export function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const retryable = (error as { $retryable?: { throttling?: boolean } }).$retryable;
  return THROTTLING_NAMES.has(error.name) || retryable?.throttling === true;
}

/** STS and IAM say AccessDenied; most other services AccessDeniedException. */
export const isAccessDenied = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'AccessDenied' || error.name === 'AccessDeniedException');
