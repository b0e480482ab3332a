import { store } from '../../src/cloud/aws/dynamodb';
import { stacks } from '../../src/cloud/aws/stacks';
import { templates } from '../../src/cloud/aws/templates';
import { taskHandler } from '../../src/tasks/handler';
import { updateStack } from '../../src/tasks/stack-calls';

export const handler = taskHandler(updateStack, { store, stacks, templates });
