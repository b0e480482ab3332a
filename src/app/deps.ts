import type { AccountPort, LogsPort, StackPort, WorkflowPort } from '../cloud/ports';
import type { IdempotencyStore } from '../store/idempotency';
import type { Store } from '../store/store';

/** Everything an API route may need; each route names the subset it uses. */
export interface ApiDeps {
  store: Store;
  idempotency: IdempotencyStore;
  workflows: WorkflowPort;
  stacks: StackPort;
  logs: LogsPort;
  accounts: AccountPort;
  settings: ApiSettings;
}

export interface ApiSettings {
  /** On AWS every stack needs a verified role; the embedded runtime simulates one when none is given. */
  requireRoleArn: boolean;
  simulatedRoleArn: string;
  /** The principal customers trust in their role (the state machines' execution role). */
  platformPrincipalArn: string;
  /** The principal that checks a role's external id at registration (the API's role). */
  verifierPrincipalArn: string;
  eventBusArn: string;
  defaultImageUri: string;
}
