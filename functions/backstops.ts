import { databases, pipelineStore, store } from '../src/cloud/aws/dynamodb';
import { bus } from '../src/cloud/aws/events';
import { stacks } from '../src/cloud/aws/stacks';
import { eventUnit } from '../src/events/consumers';

/** Step Functions' failure events: what a workflow could not record itself. */
export const handler = eventUnit('backstops', { store, databases, stacks, bus, pipelines: pipelineStore });
