import { databases, pipelineStore, store, waits } from '../src/cloud/aws/dynamodb';
import { workflows } from '../src/cloud/aws/workflows';
import { eventUnit } from '../src/events/consumers';

/** Status events that move workflows on (src/events/consumers.ts). */
export const handler = eventUnit('events', { store, databases, waits, workflows, pipelines: pipelineStore });
