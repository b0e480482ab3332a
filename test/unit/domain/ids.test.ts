import { randomInt } from 'node:crypto';
import { newId } from '../../../src/domain/ids';

describe('newId', () => {
  test('is the prefix, an underscore and 26 Crockford base32 characters', () => {
    // Prepare
    // Act
    const id = newId('op');

    // Assess
    expect(id).toMatch(/^op_[0-9abcdefghjkmnpqrstvwxyz]{26}$/);
  });

  test('ids from later milliseconds sort after earlier ones', () => {
    // Prepare
    const start = Date.parse('2025-03-01T10:00:00.000Z');
    const times = [
      start - 1,
      start,
      start + 1,
      start + 31,
      start + 32,
      start + 1023,
      start + 1024,
      start + 86_400_000,
    ];

    // Act
    const ids = times.map((time) => newId('op', time));

    // Assess
    expect([...ids].sort()).toEqual(ids);
  });

  test('sorting ids sorts by creation time, across random times', () => {
    // Prepare
    const times = [...new Set(Array.from({ length: 500 }, () => randomInt(0, 2 ** 47)))];
    const ids = times.map((time) => ({ time, id: newId('stk', time) }));

    // Act
    const byId = [...ids].sort((a, b) => (a.id < b.id ? -1 : 1)).map((entry) => entry.time);

    // Assess
    expect(byId).toEqual([...times].sort((a, b) => a - b));
  });

  test('two ids of the same millisecond still differ', () => {
    // Prepare
    const now = Date.now();

    // Act
    const ids = new Set(Array.from({ length: 100 }, () => newId('op', now)));

    // Assess
    expect(ids.size).toBe(100);
  });
});
