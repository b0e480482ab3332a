import { readdirSync, readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';

/** Where the JSON Schemas of the events the backend emits live. */
export const SCHEMA_DIR = new URL('../../events/schemas/', import.meta.url);
export const SAMPLE_DIR = new URL('../../events/samples/', import.meta.url);

/** Each emitted detail-type and the file of its schema. */
export const SCHEMA_FILES = {
  'Operation Status Change': 'operation-status-change.json',
  'Stage Status Change': 'stage-status-change.json',
  'Database Status Change': 'database-status-change.json',
  'Credentials Accessed': 'credentials-accessed.json',
  'Pipeline Status Change': 'pipeline-status-change.json',
  'Pipeline Run Status Change': 'pipeline-run-status-change.json',
  'Approval Requested': 'approval-requested.json',
  'Approval Decided': 'approval-decided.json',
  'Deploy Window Overridden': 'deploy-window-overridden.json',
  'Approval Recorded': 'approval-recorded.json',
  'Deployment Status Change': 'deployment-status-change.json',
} as const;

/** Emitted by the API rather than by a state machine. */
export const EMITTED_BY_API: EmittedDetailType[] = ['Credentials Accessed', 'Approval Recorded'];

export type EmittedDetailType = keyof typeof SCHEMA_FILES;

/** RFC 3339 date-time, as EventBridge writes `time` (with or without fractional seconds). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

const ajv = new Ajv2020({ allErrors: true });
ajv.addFormat('date-time', {
  type: 'string',
  validate: (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)),
});

export function readSchema(detailType: EmittedDetailType): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(SCHEMA_FILES[detailType], SCHEMA_DIR), 'utf8')) as Record<
    string,
    unknown
  >;
}

const validators = new Map<string, ValidateFunction>(
  (Object.keys(SCHEMA_FILES) as EmittedDetailType[]).map((detailType) => [
    detailType,
    ajv.compile(readSchema(detailType)),
  ]),
);

const describe = (error: ErrorObject): string => {
  const where = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    return `${where} must not have ${String((error.params as { additionalProperty: string }).additionalProperty)}`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
};

/**
 * Validates a whole EventBridge event against the schema of its detail-type. Returns the problems,
 * an empty list for a valid event; an event whose detail-type has no schema is itself a problem.
 */
export function validateEvent(event: unknown): string[] {
  const detailType =
    typeof event === 'object' && event !== null
      ? (event as Record<string, unknown>)['detail-type']
      : undefined;
  if (typeof detailType !== 'string') return ['/detail-type must be a string'];
  const validate = validators.get(detailType);
  if (!validate) return [`no schema for detail-type "${detailType}"`];
  return validate(event) ? [] : (validate.errors ?? []).map(describe);
}

/** The JSON files of one folder under events/samples, by file name. */
export function readSamples(folder: string): Record<string, unknown> {
  const dir = new URL(`${folder}/`, SAMPLE_DIR);
  return Object.fromEntries(
    readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => [name, JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as unknown]),
  );
}
