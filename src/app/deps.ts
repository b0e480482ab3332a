import type {
  AccountPort,
  EventBusPort,
  JwtVerifierPort,
  KeysPort,
  LogsPort,
  NotificationPort,
  SecretsPort,
  StackPort,
  WorkflowPort,
} from '../cloud/ports';
import type { DatabaseStore } from '../store/databases';
import type { IdempotencyStore } from '../store/idempotency';
import type { ApprovalStore } from '../store/approvals';
import type { PipelineStore } from '../store/pipelines';
import type { Store } from '../store/store';
import type { SecretCache } from '../cloud/secret-cache';
import type { ApiSettings, PipelineSettings } from '../cloud/settings';
import type { SubscriptionStore } from '../store/subscriptions';
import type { WebhookSettings } from './subscriptions';

/** Everything an API route may need; each route names the subset it uses. */
export interface ApiDeps {
  store: Store;
  idempotency: IdempotencyStore;
  workflows: WorkflowPort;
  stacks: StackPort;
  logs: LogsPort;
  accounts: AccountPort;
  settings: ApiSettings;
  /** Databases, bastions and their secrets (src/app/databases.ts, src/app/bastions.ts). */
  databases: DatabaseStore;
  secrets: SecretsPort;
  keys: KeysPort;
  /** Audit events ("View Secret", private key downloads): ids only, never the secret. */
  bus: EventBusPort;
  /** Status subscriptions (src/app/subscriptions.ts). */
  subscriptions: SubscriptionStore;
  webhooks: WebhookSettings;
  /** Pipeline runs (src/app/pipelines.ts); their approvals are in `approvals` (src/app/approvals.ts). */
  pipelines: PipelineStore;
  approvals: ApprovalStore;
  platformSecrets: SecretCache;
  notifications: NotificationPort;
  jwtVerifier: JwtVerifierPort;
  pipelineSettings: PipelineSettings;
}
