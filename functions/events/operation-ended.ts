import { onOperationEnded } from '../../src/app/follow-ups';
import { databases, store } from '../../src/cloud/aws/dynamodb';
import { workflows } from '../../src/cloud/aws/workflows';
import { taskHandler } from '../../src/tasks/handler';

/**
 * Operation Status Change events (SUCCEEDED or FAILED) from the platform's own bus: starts what was
 * asked for with a stage (its database, its bastion) once the stage is ACTIVE and unlocked.
 */
export const handler = taskHandler(onOperationEnded, { store, workflows, databases });
