import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles } from '../../../src/generate/files';

describe('generated files', () => {
  test('each committed generated file is exactly what `npm run generate` writes', async () => {
    // Prepare
    const expected = await generatedFiles();

    // Act
    const committed = Object.fromEntries(
      Object.keys(expected).map((file) => [file, readFileSync(join(process.cwd(), file), 'utf8')]),
    );

    // Assess
    for (const [file, text] of Object.entries(expected))
      expect({ file, text: committed[file] }).toEqual({ file, text });
  });
});
