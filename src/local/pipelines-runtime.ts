import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretCache } from '../cloud/secret-cache';
import type { PipelineSettings } from '../cloud/settings';
import type { JwtVerifierPort } from '../cloud/ports';
import { DEFAULT_APPROVAL_TIMEOUT_SECONDS } from '../domain/pipeline';
import { callerFromClaims } from '../domain/caller';
import { ApprovalStore } from '../store/approvals';
import { PipelineStore } from '../store/pipelines';
import type { Store } from '../store/store';
import type { LocalEventBus } from './bus';
import type { LocalCloudFormation } from './cloudformation';
import type { SimulatedServices } from './cloudformation/effects';
import { verifyToken } from './jwt';
import { LocalImages } from './images';
import { LocalOutbox, type OutboxMessage } from './outbox';
import { LocalPipelines, type BuildFailureRule } from './pipelines';
import { LocalPlatformSecrets, secretsFileOf } from './platform-secrets';
import { readLocalJson, type LocalEndpoint } from './server';
import { simulatedStateOf } from './state-files';

export const LOCAL_SECRET_PREFIX = 'tinystacks/local';

export interface LocalPipelineOptions {
  dataDir?: string;
  /** How long a simulated build takes. */
  buildDelayMs?: number;
  /** When an approval expires (default 7 days). */
  approvalTimeoutSeconds?: number;
  /** The runtime's JWT key (a getter: the runtime reads it after composing its parts). */
  jwtSecret: () => string;
  onOutbox?: (message: OutboxMessage) => void;
}

/**
 * The pipeline parts of the embedded runtime: the run store, secrets in a file, the simulated
 * CodePipeline, the outbox for email and Slack, JWTs checked in-function, and a test hook to make
 * builds fail.
 */
export function startLocalPipelines(
  options: LocalPipelineOptions,
  parts: {
    db: DynamoDBDocumentClient;
    tableName: string;
    cfn: LocalCloudFormation;
    bus: LocalEventBus;
    store: Store;
    /** Where a build puts its artifacts and its image (see LocalPipelines), and where runs look images up. */
    services: SimulatedServices;
  },
) {
  const pipelines = new PipelineStore(parts.db, parts.tableName);
  const approvals = new ApprovalStore(parts.db, parts.tableName);
  const secrets = new LocalPlatformSecrets(options.dataDir ? secretsFileOf(options.dataDir) : undefined);
  const pipelineSettings: PipelineSettings = {
    publicApiUrl: 'http://127.0.0.1:3000',
    secretPrefix: LOCAL_SECRET_PREFIX,
    linkKeySecretName: `${LOCAL_SECRET_PREFIX}/approval-link-key`,
    slackSecretName: `${LOCAL_SECRET_PREFIX}/slack`,
    approvalTimeoutSeconds: options.approvalTimeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS,
  };
  secrets.ensure(pipelineSettings.linkKeySecretName, () => randomBytes(32).toString('base64url'));
  secrets.ensure(pipelineSettings.slackSecretName, () =>
    JSON.stringify({ signingSecret: randomBytes(16).toString('hex') }),
  );
  const platformSecrets = new SecretCache(secrets);
  const builds = new LocalPipelines({
    cfn: parts.cfn,
    publish: (event) => parts.bus.forward(event),
    buildDelayMs: options.buildDelayMs ?? 1000,
    account: '000000000000',
    file: simulatedStateOf(options.dataDir).codePipeline,
    services: parts.services,
  });
  const notifications = new LocalOutbox(
    options.dataDir ? join(options.dataDir, 'outbox') : undefined,
    options.onOutbox,
  );
  const jwtVerifier: JwtVerifierPort = {
    async verify(token) {
      return callerFromClaims(verifyToken(options.jwtSecret(), token));
    },
  };

  const buildFailures: LocalEndpoint = async (req: IncomingMessage, res: ServerResponse, url, claims) => {
    if (url.pathname !== '/local/pipelines/failures') return false;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!callerFromClaims(claims)) return (json(401, { message: 'Unauthorized' }), true);
    if (req.method === 'POST') {
      const rule = (await readLocalJson(req, res)) as Partial<BuildFailureRule> | undefined;
      if (!rule) return true;
      if (typeof rule.stackId !== 'string' || rule.stackId === '')
        return (
          json(400, { error: { code: 'ValidationError', message: 'stackId is required', field: 'stackId' } }),
          true
        );
      builds.failWhen(rule as BuildFailureRule);
      json(201, { rule });
    } else if (req.method === 'DELETE') {
      builds.clearFailures();
      res.writeHead(204).end();
    } else json(405, { message: 'Method Not Allowed' });
    return true;
  };

  return {
    deps: {
      pipelines,
      approvals,
      platformSecrets,
      builds,
      images: new LocalImages(parts.services),
      notifications,
      jwtVerifier,
      pipelineSettings,
    },
    secrets,
    outbox: notifications,
    builds,
    endpoints: [buildFailures],
    /** The server's URL is known once it listens: links and webhook URLs point there. */
    setPublicUrl: (url: string) => {
      pipelineSettings.publicApiUrl = url;
    },
    dispose: () => builds.dispose(),
  };
}
