import * as z from 'zod/mini';
import type { AnyRoute } from '../http/route';

const jsonSchema = (schema: z.ZodMiniType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
};

function parameters(route: AnyRoute) {
  const out: unknown[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  if (route.idempotent) {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Replays the first response for a repeat of this request (24 h); another body with the same key is a 422',
      schema: { type: 'string', maxLength: 255 },
    });
  }
  return out;
}

/**
 * The OpenAPI 3.1 document, generated from the same schemas that validate each request. `npm run
 * generate` writes it to ./openapi.json, which GET /v1/openapi.json serves (./meta.ts), and the
 * dashboard's API types from it (web/src/api/generated/schema.ts).
 */
export function openApiDocument(routes: AnyRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      security: route.auth === 'jwt' ? [{ bearer: [] }] : [],
      parameters: parameters(route),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body) } },
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, spec]) => [
          status,
          {
            description: spec.description,
            ...(spec.schema ? { content: { 'application/json': { schema: jsonSchema(spec.schema) } } } : {}),
          },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'TinyStacks API',
      version: '1.0.0',
      description:
        'Deploy Docker apps into your own AWS account through ordered stages. Mutating calls return an operation; watch it at /v1/operations/{operationId} or on the event stream.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}
