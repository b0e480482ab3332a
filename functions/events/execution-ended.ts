import { databases, store } from '../../src/cloud/aws/dynamodb';
import { bus } from '../../src/cloud/aws/events';
import { stacks } from '../../src/cloud/aws/stacks';
import { taskHandler } from '../../src/tasks/handler';
import { onExecutionEnded } from '../../src/tasks/execution-ended';

/** Step Functions Execution Status Change events for this service's state machines (FAILED, TIMED_OUT, ABORTED). */
export const handler = taskHandler(onExecutionEnded, { store, bus, databases, stacks });
