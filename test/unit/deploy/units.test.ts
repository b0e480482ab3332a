import { readFileSync } from 'node:fs';
import { jest } from '@jest/globals';
import type { SQSEvent } from 'aws-lambda';
import { routes } from '../../../src/api/routes';
import { permissionsOf } from '../../../src/generate/serverless';
import { UNITS, type UnitName } from '../../../src/deploy/units';
import { consumers, eventUnit } from '../../../src/events/consumers';
import { httpRouter } from '../../../src/http/handler';
import { defineRoute, type AnyRoute } from '../../../src/http/route';
import { taskFunctions } from '../../../src/tasks/registry';
import { taskUnit } from '../../../src/tasks/unit';
import { apiRequest, lambdaContext } from '../../support/api-gateway';

const units = Object.keys(UNITS) as UnitName[];
const sample = (file: string) =>
  JSON.parse(readFileSync(new URL(`../../../events/samples/${file}`, import.meta.url), 'utf8')) as unknown;

describe('what the units keep apart', () => {
  test('every unit has members (a custom resource’s handler, its own permissions), and only of its kind', () => {
    // Prepare
    const kinds = (unit: UnitName) => ({
      routes: routes.filter((r) => r.unit === unit).length,
      tasks: Object.values(taskFunctions).filter((t) => t.unit === unit).length,
      consumers: Object.values(consumers).filter((c) => c.unit === unit).length,
    });

    // Act
    const found = units.map((unit) => {
      const { routes: r, tasks: t, consumers: c } = kinds(unit);
      const kind = UNITS[unit].kind;
      const own = 'permissions' in UNITS[unit] ? 1 : 0;
      const ofOtherKinds = { http: t + c, tasks: r + c, events: r + t, queue: r + t, custom: r + t + c };
      return { unit, kind, members: r + t + c + own, foreign: ofOtherKinds[kind] };
    });

    // Assess
    for (const f of found)
      expect({ ...f, members: f.members > 0 }).toEqual({ ...f, members: true, foreign: 0 });
  });

  test('the routes without a JWT are served by functions that serve no JWT route', () => {
    // Act
    const mixed = units.filter(
      (unit) =>
        routes.some((r) => r.unit === unit && r.auth === 'none') &&
        routes.some((r) => r.unit === unit && r.auth === 'jwt'),
    );

    // Assess
    expect(mixed).toEqual([]);
  });

  test('only the units kept apart for it work in customers’ accounts or read platform secrets', () => {
    // Act
    const customer = units.filter((u) =>
      [...permissionsOf(u)].some((p) => p.startsWith('customerAccounts:')),
    );
    const secrets = units.filter(
      (u) => permissionsOf(u).has('platformSecrets:read') || permissionsOf(u).has('subscriptionKey:use'),
    );

    // Assess
    expect(customer.sort()).toEqual(['backstops', 'credentials', 'customerApi', 'customerTasks']);
    expect(secrets.sort()).toEqual([
      'approvalRequests',
      'approvals',
      'credentials',
      'githubWebhook',
      'webhookSender',
    ]);
  });
});

describe('an HTTP unit', () => {
  const route = (method: 'GET' | 'POST', path: string, answer: string) =>
    defineRoute({
      method,
      path,
      operationId: answer,
      summary: answer,
      tag: 'Test',
      auth: 'none',
      unit: 'api',
      permissions: [],
      responses: {},
      async handle() {
        return { statusCode: 200, body: { answer } };
      },
    }) as unknown as AnyRoute;
  const router = httpRouter(
    [
      route('GET', '/v1/stacks/{stackId}/stages', 'list'),
      route('POST', '/v1/stacks/{stackId}/stages', 'create'),
    ],
    {},
  );

  test('serves the route API Gateway names in the routeKey', async () => {
    // Prepare
    const event = apiRequest('create-stage-without-authorizer', { body: '' });

    // Act
    const response = await router(event, lambdaContext());

    // Assess
    expect({ status: response.statusCode, body: JSON.parse(response.body) }).toEqual({
      status: 200,
      body: { answer: 'create' },
    });
  });

  test('answers 404 for a route it was not given', async () => {
    // Prepare
    const event = {
      ...apiRequest('create-stage-without-authorizer'),
      routeKey: 'DELETE /v1/stacks/{stackId}',
    };

    // Act
    const response = await router(event, lambdaContext());

    // Assess
    expect(response.statusCode).toBe(404);
  });
});

describe('a task unit', () => {
  test('runs the task the payload names, with the rest of the payload as its input', async () => {
    // Prepare
    const deleteDatabase = jest.fn(async () => undefined);
    const unit = taskUnit('tasks', { databases: { deleteDatabase } } as never);
    const input = {
      tenantId: 't1',
      stackId: 'stk_1',
      stageName: 'dev',
      operationId: 'op_1',
      engine: 'postgres',
    };

    // Act
    const result = await unit({ task: 'RemoveDatabase', ...input });

    // Assess
    expect(result).toEqual({});
    expect(deleteDatabase).toHaveBeenCalledWith(input, 'postgres');
  });

  test('refuses a task of another unit by name, so the state machine sees why', async () => {
    // Prepare
    const unit = taskUnit('tasks', {} as never);

    // Act
    const running = unit({ task: 'CreateStack' });

    // Assess
    await expect(running).rejects.toMatchObject({ name: 'UnknownTask' });
  });
});

describe('an event unit', () => {
  test('runs the consumer the rule names, with the event as EventBridge delivered it', async () => {
    // Prepare
    const getStage = jest.fn(async () => undefined);
    const dropFollowUps = jest.fn(async () => undefined);
    const unit = eventUnit('events', { store: { getStage }, databases: { dropFollowUps } } as never);
    const event = sample('tinystacks/operation-status-change-succeeded.json') as {
      detail: Record<string, string>;
    };

    // Act
    await unit({ consumer: 'operationEnded', event });

    // Assess
    expect(getStage).toHaveBeenCalledWith(
      event.detail.tenantId,
      event.detail.stackId,
      event.detail.stageName,
    );
    expect(dropFollowUps).toHaveBeenCalled();
  });

  test('refuses a consumer of another unit', async () => {
    // Prepare
    const unit = eventUnit('events', {} as never);

    // Act
    const running = unit({ consumer: 'deliverEvents', event: {} });

    // Assess
    await expect(running).rejects.toThrow('the events function has no consumer deliverEvents');
  });

  test('a queue’s unit gets the batch itself', async () => {
    // Prepare
    const unit = eventUnit('webhookSender', {} as never);
    const batch: SQSEvent = { Records: [] };

    // Act
    const result = await unit(batch);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
  });
});
