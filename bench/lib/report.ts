import type { Section } from './options';

export type Verdict = 'PASS' | 'MISS' | 'SKIP' | 'INFO' | 'ERROR';

/** One line of the printed table; the JSON keeps the same rows next to each section's raw figures. */
export interface Row {
  section: Section;
  item: string;
  measured: string;
  reference: string;
  ratio: string;
  target: string;
  verdict: Verdict;
}

export interface SectionResult {
  rows: Row[];
  data: unknown;
  seconds: number;
}

const HEADERS = ['section', 'item', 'measured', 'reference (baseline / floor)', 'ratio', 'target', 'result'];

export function renderTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => [r.section, r.item, r.measured, r.reference, r.ratio, r.target, r.verdict]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(HEADERS), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join(
    '\n',
  );
}

export const verdict = (ok: boolean): Verdict => (ok ? 'PASS' : 'MISS');
