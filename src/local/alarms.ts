import type { ServerResponse } from 'node:http';
import { callerFromClaims } from '../domain/caller';
import { badRequest, DomainError, notFound } from '../domain/errors';
import type { Stage } from '../domain/stage';
import type { Store } from '../store/store';
import { ROLLBACK_ALARMS } from '../templates/rollback-alarms';
import type { LocalCloudFormation } from './cloudformation';
import { ALARM_STATES, type AlarmState, type SimulatedServices } from './cloudformation/effects';
import { readLocalJson, sendError, type LocalEndpoint } from './server';

/** `tinystacks-stk-<26 characters>-<stage>`: the stack name cfnStackNameOf gives a stage. */
const STAGE_STACK_NAME = /^tinystacks-stk-([0-9a-z]{26})-([a-z][a-z0-9-]*)$/;

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

interface AlarmRequest {
  stackId?: unknown;
  stage?: unknown;
  stackName?: unknown;
  alarm?: unknown;
  state?: unknown;
}

/**
 * The simulated alarms have no metrics, so their state moves only when set here, as a metric would
 * move it: `POST /local/alarms {stackId, stage | stackName, alarm, state}` puts one of the caller's
 * stages' rollback alarms into ALARM (or OK, INSUFFICIENT_DATA), and the next deployment of its
 * service fails and rolls back while it is in ALARM (src/local/cloudformation/effects.ts). `alarm`
 * is the `rollbackAlarms` field that made it (`http5xxPercent`, `unhealthyHosts`) or its name.
 * `GET /local/alarms?stackId=&stage=` lists a stage's alarms with their states. Another tenant's
 * stage is not found, as on the API.
 */
export function alarmEndpoints(parts: {
  store: Store;
  cloudFormation: LocalCloudFormation;
  services: SimulatedServices;
}): LocalEndpoint[] {
  /** The caller's stage a request names, by its stack and name, or by its CloudFormation stack. */
  async function stageOf(tenantId: string, request: AlarmRequest): Promise<Stage> {
    if (typeof request.stackName === 'string') {
      const [, id, name] = STAGE_STACK_NAME.exec(request.stackName) ?? [];
      const stage = id && name ? await parts.store.getStage(tenantId, `stk_${id}`, name) : undefined;
      if (!stage || stage.cfnStackName !== request.stackName) throw notFound(`stack ${request.stackName}`);
      return stage;
    }
    if (typeof request.stackId !== 'string' || request.stackId === '')
      throw badRequest('stackId', 'stackId (with stage) or stackName is required');
    if (typeof request.stage !== 'string' || request.stage === '')
      throw badRequest('stage', 'stage is required');
    return parts.store.requireStage(tenantId, request.stackId, request.stage);
  }

  async function alarmsOf(stage: Stage) {
    const described = await parts.cloudFormation
      .describeStackResources({ StackName: stage.cfnStackName }, stage.region)
      .catch(() => ({ StackResources: [] }));
    return (described.StackResources ?? [])
      .filter((resource) => resource.ResourceType === 'AWS::CloudWatch::Alarm')
      .map((resource) => ({
        logicalId: resource.LogicalResourceId!,
        alarmName: resource.PhysicalResourceId!,
        state: parts.services.alarmState(stage.region, resource.PhysicalResourceId!) ?? 'INSUFFICIENT_DATA',
      }));
  }

  const alarms: LocalEndpoint = async (req, res, url, claims) => {
    if (url.pathname !== '/local/alarms') return false;
    const caller = callerFromClaims(claims);
    if (!caller) return (json(res, 401, { message: 'Unauthorized' }), true);
    try {
      if (req.method === 'GET') {
        const stage = await stageOf(caller.tenantId, Object.fromEntries(url.searchParams));
        json(res, 200, { stackName: stage.cfnStackName, items: await alarmsOf(stage) });
      } else if (req.method === 'POST') {
        const request = (await readLocalJson(req, res)) as AlarmRequest | undefined;
        if (!request) return true;
        if (!ALARM_STATES.includes(request.state as AlarmState))
          throw badRequest('state', `state must be one of ${ALARM_STATES.join(', ')}`);
        if (typeof request.alarm !== 'string' || request.alarm === '')
          throw badRequest(
            'alarm',
            `alarm is required: ${Object.keys(ROLLBACK_ALARMS).join(' or ')}, or its name`,
          );
        const stage = await stageOf(caller.tenantId, request);
        const logicalId = ROLLBACK_ALARMS[request.alarm as keyof typeof ROLLBACK_ALARMS];
        const alarm = (await alarmsOf(stage)).find(
          (a) => a.logicalId === logicalId || a.alarmName === request.alarm,
        );
        if (!alarm) {
          throw notFound(
            `alarm ${request.alarm} of stage ${stage.name} (it has the alarms its rollbackAlarms setting asks for, once deployed)`,
          );
        }
        parts.services.setAlarmState(stage.region, alarm.alarmName, request.state as AlarmState);
        json(res, 200, { stackName: stage.cfnStackName, alarmName: alarm.alarmName, state: request.state });
      } else {
        json(res, 405, { message: 'Method Not Allowed' });
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      sendError(res, error);
    }
    return true;
  };

  return [alarms];
}
