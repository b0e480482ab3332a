/**
 * EventBridge's event patterns, for the operators the platform's rules use: exact values, `prefix`,
 * and arrays (any value of the pattern's array; when the event's value is itself an array, any of
 * its elements). Every field a pattern names must be in the event, at the same nesting; fields the
 * pattern does not name are ignored; strings match exactly, case included. The embedded runtime's
 * bus matches with this the same patterns the rules on AWS are made of (src/events/consumers.ts).
 */
export type PatternValue = string | number | boolean | null | { prefix: string };
export interface EventPattern {
  [field: string]: PatternValue[] | EventPattern;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function matchesValue(filter: PatternValue, value: unknown): boolean {
  if (isObject(filter)) {
    const operators = Object.keys(filter);
    if (operators.length !== 1 || operators[0] !== 'prefix')
      throw new Error(`event pattern operator ${operators.join(', ')} is not supported here`);
    return typeof value === 'string' && value.startsWith(filter.prefix);
  }
  return value === filter;
}

export function matches(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([field, filter]) => {
    if (!(field in event)) return false;
    const value = event[field];
    if (!Array.isArray(filter)) return matches(filter, value);
    const values = Array.isArray(value) ? value : [value];
    return filter.some((one) => values.some((v) => matchesValue(one, v)));
  });
}
