import { databases, store } from '../../src/cloud/aws/dynamodb';
import { recordReplicaSource } from '../../src/tasks/database-steps';
import { taskHandler } from '../../src/tasks/handler';

export const handler = taskHandler(recordReplicaSource, { store, databases });
