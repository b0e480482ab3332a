/**
 * The events the platform puts on its bus (`source: "tinystacks"`), by detail-type. This list is the
 * one place that names them: subscriptions validate their `events` filter against it, and
 * test/unit/domain/events.test.ts checks that each has a JSON Schema in events/schemas/ (and each
 * schema a line here). A new detail-type is one more line below, plus its schema.
 */
// One line per detail-type, so additions merge cleanly.
// prettier-ignore
export const DETAIL_TYPES = [
  'Operation Status Change',
  'Stage Status Change',
  'Database Status Change',
  'Credentials Accessed',
  'Pipeline Status Change',
  'Pipeline Run Status Change',
  'Approval Requested',
  'Approval Decided',
  'Deploy Window Overridden',
  'Approval Recorded',
  'Deployment Status Change',
] as const;

export type DetailType = (typeof DETAIL_TYPES)[number];

/** The `source` of every event the platform emits. */
export const EVENT_SOURCE = 'tinystacks';

/** An event as EventBridge hands it to a rule's target (and as a webhook receiver gets it). */
export interface PlatformBusEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export const isDetailType = (value: string): value is DetailType =>
  (DETAIL_TYPES as readonly string[]).includes(value);
