/**
 * The layers of the code, stated once (LAYERS below, explained in the README's layout section), and
 * the two rules that keep each behaviour in one home: an import only goes down, to a lower layer or
 * within its own folder, and no import makes a cycle. Every import counts, `import type` and
 * `import()` included: a type is a dependency too.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Lowest first. A folder may import its own files and anything of a lower layer; folders of one
 * layer do not import each other. The dashboard (web/src) may import only src/domain.
 */
const LAYERS: string[][] = [
  ['src/domain', 'src/deploy', 'src/log.ts', 'src/static-files.ts', 'src/types'],
  ['src/templates', 'src/store'],
  ['src/cloud'],
  ['src/app'],
  ['src/http', 'src/tasks'],
  ['src/api', 'src/events', 'src/workflows'],
  ['src/generate', 'functions'],
  ['src/local'],
];

const WEB_MAY_IMPORT = ['src/domain'];

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder)).flatMap((name) => {
    const path = `${folder}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Resolves a relative specifier as the bundler does (no extensions, index files). */
function resolveImport(from: string, specifier: string): string | undefined {
  const base = normalize(join(dirname(from), specifier));
  return [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, base].find(
    (path) => /\.(tsx?|json)$/.test(path) && existsSync(join(ROOT, path)),
  );
}

/** Every file's relative imports (static, type-only, re-exports and dynamic `import()`). */
function importGraph(files: string[]): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
      const targets = info.importedFiles
        .map((i) => i.fileName)
        .filter((s) => s.startsWith('.'))
        .map((s) => resolveImport(file, s) ?? `${file}: unresolved ${s}`);
      return [file, targets];
    }),
  );
}

const layerOf = (file: string) => {
  const index = LAYERS.findIndex((layer) => layer.some((p) => file === p || file.startsWith(`${p}/`)));
  const folder = LAYERS[index]?.find((p) => file === p || file.startsWith(`${p}/`));
  return { index, folder };
};

/** Strongly connected components of more than one file (Tarjan): each is an import cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) visit(w);
      if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, low.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = stack.splice(stack.indexOf(v));
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** Imports that go up a layer, or across to another folder of the same layer. */
function upwardImports(graph: Map<string, string[]>): string[] {
  const upward: string[] = [];
  for (const [file, targets] of graph) {
    if (file.startsWith('web/')) continue;
    const from = layerOf(file);
    for (const target of targets) {
      const to = layerOf(target);
      if (to.folder === from.folder) continue;
      if (to.index < 0 || to.index >= from.index) upward.push(`${file} → ${target}`);
    }
  }
  return upward;
}

const graph = importGraph([...sourceFiles('src'), ...sourceFiles('functions'), ...sourceFiles('web/src')]);

describe('layers', () => {
  it('places every file of src/ and functions/ in a layer', () => {
    // Act
    const unplaced = [...graph.keys()].filter((f) => !f.startsWith('web/') && layerOf(f).index < 0);
    // Assess
    expect(unplaced).toEqual([]);
  });

  it('has every import go down a layer, or stay in its folder', () => {
    // Assess
    expect(upwardImports(graph)).toEqual([]);
  });

  it('has the dashboard import only its own files and src/domain', () => {
    // Act
    const outside = [...graph]
      .filter(([file]) => file.startsWith('web/'))
      .flatMap(([file, targets]) => targets.map((target) => [file, target] as const))
      .filter(([, t]) => !t.startsWith('web/src/') && !WEB_MAY_IMPORT.some((p) => t.startsWith(`${p}/`)))
      .map(([file, target]) => `${file} → ${target}`);
    // Assess
    expect(outside).toEqual([]);
  });

  it('keeps the OpenAPI document (150 KB) in the docs function alone', () => {
    // Prepare: every file each function's entry reaches, import by import
    const reaches = (entry: string) => {
      const seen = new Set<string>();
      const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        for (const target of graph.get(file) ?? []) visit(target);
      };
      visit(entry);
      return seen;
    };
    // Act
    const carrying = sourceFiles('functions').filter((entry) => reaches(entry).has('src/api/openapi.json'));
    // Assess
    expect(carrying).toEqual(['functions/docs.ts']);
  });

  it('has no import cycle', () => {
    // Assess
    expect(cycles(graph)).toEqual([]);
  });

  it('finds an upward import and a cycle when there is one', () => {
    // Prepare: a store that imports the app, which imports it back
    const planted = new Map([
      ['src/store/a.ts', ['src/app/b.ts']],
      ['src/app/b.ts', ['src/store/a.ts']],
    ]);
    // Act
    const found = { cycles: cycles(planted), upward: upwardImports(planted) };
    // Assess
    expect(found).toEqual({
      cycles: [['src/app/b.ts', 'src/store/a.ts']],
      upward: ['src/store/a.ts → src/app/b.ts'],
    });
  });
});
