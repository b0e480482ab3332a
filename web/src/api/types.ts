/** Names for the shapes the pages use, all taken from the generated OpenAPI types. */
import type { operations } from './generated/schema';

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type Ok<O extends keyof operations, S extends keyof operations[O]['responses']> = JsonOf<
  operations[O]['responses'][S]
>;
type Body<O extends keyof operations> = operations[O] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

export type Stack = Ok<'getStack', 200>;
export type CreatedStack = Ok<'createStack', 201>;
export type Stage = Ok<'getStage', 200>;
export type Operation = Ok<'getOperation', 200>;
export type Database = Ok<'getDatabase', 200>;
export type DatabaseSecret = Ok<'getDatabaseSecret', 200>;
export type Bastion = Ok<'getBastion', 200>;
export type Run = Ok<'getRun', 200>;
export type Approval = Ok<'decideApproval', 200>;
export type Subscription = Ok<'getSubscription', 200>;
export type CreatedSubscription = Ok<'createSubscription', 201>;
export type DeadLetter = Ok<'listSubscriptionDeadLetters', 200>['items'][number];
export type LogsPage = Ok<'getStageLogs', 200>;
export type StackEvent = Ok<'getStageStackEvents', 200>['items'][number];
export type Deployment = Ok<'getDeployment', 200>;

export type CreateStackBody = Body<'createStack'>;
export type CreateStageBody = Body<'createStage'>;
export type UpdateStageBody = Body<'updateStage'>;
export type AddDatabaseBody = Body<'addDatabase'>;
export type Engine = Database['engine'];
