import { readdirSync } from 'node:fs';
import { DETAIL_TYPES } from '../../../src/domain/events';
import { readSchema, SCHEMA_DIR, SCHEMA_FILES } from '../../support/event-schemas';

describe('the detail-types the platform emits (src/domain/events.ts)', () => {
  test('each has a JSON Schema, and each schema is listed there', () => {
    // Prepare
    const schemaFiles = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'));

    // Assess
    expect([...DETAIL_TYPES].sort()).toEqual(Object.keys(SCHEMA_FILES).sort());
    expect(Object.values(SCHEMA_FILES).sort()).toEqual(schemaFiles.sort());
  });

  test('each schema pins its own detail-type and the tinystacks source', () => {
    // Assess
    for (const detailType of DETAIL_TYPES) {
      const schema = readSchema(detailType as keyof typeof SCHEMA_FILES) as {
        properties: Record<string, { const?: string; enum?: string[] }>;
      };
      const pinned = schema.properties['detail-type']!;
      expect(pinned.const ?? pinned.enum).toEqual(pinned.const ? detailType : [detailType]);
      const source = schema.properties.source!;
      expect(source.const ?? source.enum).toEqual(source.const ? 'tinystacks' : ['tinystacks']);
    }
  });
});
