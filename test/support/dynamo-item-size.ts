/**
 * An item's size as DynamoDB counts it against its 400 KB limit (Developer Guide, "Item sizes and
 * formats"): attribute names plus values; strings in UTF-8 bytes; numbers about one byte per two
 * significant digits plus one (21 at most); booleans and nulls one byte; a list or map three bytes,
 * plus one per element, plus its elements (a map's keys count as names). Where the guide says
 * "about", this takes the larger reading.
 */
export const DYNAMODB_ITEM_MAX_BYTES = 400 * 1024;

function valueBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') {
    const digits = String(Math.abs(value))
      .replace(/[.eE+-]/g, '')
      .replace(/^0+/, '').length;
    return Math.min(21, Math.ceil(digits / 2) + 1);
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, item) => sum + 1 + valueBytes(item), 0);
  if (value instanceof Set) return valueBytes([...value]);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return 3 + entries.reduce((sum, [name, item]) => sum + 1 + Buffer.byteLength(name) + valueBytes(item), 0);
  }
  throw new Error(`no DynamoDB size for ${typeof value}`);
}

export function dynamoItemBytes(item: Record<string, unknown>): number {
  return Object.entries(item)
    .filter(([, value]) => value !== undefined)
    .reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}
