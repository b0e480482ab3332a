/**
 * Errors the adapters raise on purpose, by name, so state machine Retry/Catch can match them and
 * handlers can map them. Adapters translate AWS exceptions into these by class, never by message.
 */
export class CloudError extends Error {
  constructor(
    name:
      | 'Throttled'
      | 'StackNotFound'
      | 'StackExists'
      | 'StackBusy'
      | 'AccessDenied'
      | 'TemplateBucketTaken'
      | 'ChangeSetExists'
      | 'ChangeSetGone'
      | 'ChangeSetNotExecutable',
    message: string,
  ) {
    super(message);
    this.name = name;
  }
}

/** The workflow the task token belonged to has moved on: the wait timed out or was already resumed. */
export type TaskDelivery = 'delivered' | 'gone';
