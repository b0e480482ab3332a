import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocument } from '../../../src/api/openapi';
import { routes } from '../../../src/api/routes';
import { entryOf, UNITS } from '../../../src/deploy/units';
import type { AnyRoute } from '../../../src/http/route';

describe('the OpenAPI document', () => {
  const document = openApiDocument(routes as AnyRoute[]);

  test('documents every route, and only the routes that exist', () => {
    // Prepare
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );

    // Assess
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  test('every route is served by an HTTP unit that has its entry point in functions/', () => {
    // Prepare
    const served = routes.map((r) => ({
      route: r.operationId,
      kind: UNITS[r.unit].kind,
      entry: existsSync(join(process.cwd(), entryOf(r.unit))),
    }));

    // Assess
    expect(served).toEqual(routes.map((r) => ({ route: r.operationId, kind: 'http', entry: true })));
  });

  test('path parameters, request bodies and bearer security are described from the schemas', () => {
    // Prepare
    const createStage = document.paths['/v1/stacks/{stackId}/stages']!.post as {
      parameters: { name: string; in: string; required: boolean }[];
      requestBody: {
        content: {
          'application/json': {
            schema: { properties: Record<string, unknown>; additionalProperties: boolean };
          };
        };
      };
      security: unknown[];
      responses: Record<string, unknown>;
    };
    const health = document.paths['/v1/health']!.get as { security: unknown[] };

    // Assess
    expect(document.openapi).toBe('3.1.0');
    expect(createStage.parameters).toEqual(
      expect.arrayContaining([
        { name: 'stackId', in: 'path', required: true, schema: expect.any(Object) },
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }),
      ]),
    );
    const body = createStage.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining([
        'name',
        'region',
        'requireApproval',
        'loadBalancer',
        'port',
        'environment',
        'origins',
      ]),
    );
    expect(body.additionalProperties).toBe(false);
    expect(createStage.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(createStage.responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '404', '409']),
    );
    expect(health.security).toEqual([]);
  });
});
