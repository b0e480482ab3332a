import type { ServerResponse } from 'node:http';
import { callerFromClaims } from '../domain/caller';
import type { LocalEventBus } from './bus';
import type { FailureRule, LocalCloudFormation } from './cloudformation';
import { readLocalJson, type LocalEndpoint } from './server';
import type { LocalWorkflows } from './workflows';

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

/**
 * Endpoints only the embedded runtime has. On AWS, subscribers watch status with EventBridge rules;
 * here GET /v1/events streams the caller's events as server-sent events. /local/* are test hooks.
 */
export function localEndpoints(parts: {
  bus: LocalEventBus;
  cloudFormation: LocalCloudFormation;
  workflows: LocalWorkflows;
}): LocalEndpoint[] {
  const eventStream: LocalEndpoint = async (req, res, url, claims) => {
    if (url.pathname !== '/v1/events' || req.method !== 'GET') return false;
    const tenantId = callerFromClaims(claims)?.tenantId;
    if (!tenantId) {
      json(res, 401, { message: 'Unauthorized' });
      return true;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    const unsubscribe = parts.bus.subscribe((event) => {
      if (event.source !== 'tinystacks' || event.detail.tenantId !== tenantId) return;
      res.write(`id: ${event.id}\nevent: ${event['detail-type']}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
    return true;
  };

  const stackFailures: LocalEndpoint = async (req, res, url, claims) => {
    if (url.pathname !== '/local/cloudformation/failures') return false;
    if (!callerFromClaims(claims)) {
      json(res, 401, { message: 'Unauthorized' });
      return true;
    }
    if (req.method === 'POST') {
      const rule = (await readLocalJson(req, res)) as Partial<FailureRule> | undefined;
      if (!rule) return true;
      if (typeof rule.stackName !== 'string' || rule.stackName === '') {
        json(res, 400, {
          error: { code: 'ValidationError', message: 'stackName is required', field: 'stackName' },
        });
        return true;
      }
      parts.cloudFormation.failWhen(rule as FailureRule);
      json(res, 201, { rule });
    } else if (req.method === 'DELETE') {
      parts.cloudFormation.clearFailures();
      res.writeHead(204).end();
    } else {
      json(res, 405, { message: 'Method Not Allowed' });
    }
    return true;
  };

  /** An execution of the caller's tenant (another tenant's is not found, as on the API). */
  const executions: LocalEndpoint = async (req, res, url, claims) => {
    const match = /^\/local\/executions\/([^/]+)$/.exec(url.pathname);
    if (!match || req.method !== 'GET') return false;
    const caller = callerFromClaims(claims);
    if (!caller) {
      json(res, 401, { message: 'Unauthorized' });
      return true;
    }
    const found = parts.workflows.execution(match[1]!);
    if (!found || found.tenantId !== caller.tenantId) json(res, 404, { message: 'Not Found' });
    else {
      const { tenantId: _tenantId, ...execution } = found;
      json(res, 200, execution);
    }
    return true;
  };

  return [eventStream, stackFailures, executions];
}
