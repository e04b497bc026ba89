/**
 * The lifecycle matrix: scenario × object type × engine → pass / fail / n/a (with the
 * reason). Each test file writes one small JSON per (row, engine) as soon as the row
 * is done (so a crashed file still leaves what it proved); the jest global teardown
 * renders all of them against the scenario table into test-output/lifecycle-matrix.md
 * and prints it to stderr.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findEngines } from '../../scripts/lib/engines';
import { RESOURCE_KEYS, RESOURCE_TYPES, ROWS, type ResourceKey } from './scenarios';

const OUTPUT = join(__dirname, '..', '..', 'test-output');
export const CELLS_DIR = join(OUTPUT, 'lifecycle-cells');
export const MATRIX_FILE = join(OUTPUT, 'lifecycle-matrix.md');

export type Cell = { status: 'pass' } | { status: 'fail'; why: string } | { status: 'n/a'; why: string };

export interface RowResult {
  row: string;
  engine: string;
  engineVersion: string;
  ms: number;
  cells: Record<ResourceKey, Cell>;
}

export function writeRowResult(result: RowResult): void {
  mkdirSync(CELLS_DIR, { recursive: true });
  writeFileSync(join(CELLS_DIR, `${result.row}.${result.engine}.json`), JSON.stringify(result, null, 2));
}

export function clearRowResults(): void {
  rmSync(CELLS_DIR, { recursive: true, force: true });
}

export function readRowResults(): RowResult[] {
  if (!existsSync(CELLS_DIR)) return [];
  return readdirSync(CELLS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(CELLS_DIR, f), 'utf8')) as RowResult);
}

const oneLine = (s: string, max = 300): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** Markdown: the table, pass counts per engine, then every failure and n/a reason as a numbered note. */
export function renderMatrix(results: RowResult[]): string {
  const { present, missing } = findEngines();
  const engines = [...present.map((e) => ({ name: e.name, label: `${e.name} ${e.version}`, missing: null as string | null }))];
  for (const m of missing) engines.push({ name: m.name as 'terraform' | 'tofu', label: m.name, missing: m.why });
  const byKey = new Map(results.map((r) => [`${r.row}.${r.engine}`, r]));
  const notes: string[] = [];
  const noteIndex = new Map<string, number>();
  const note = (text: string): number => {
    const key = oneLine(text, 2000);
    if (!noteIndex.has(key)) {
      notes.push(key);
      noteIndex.set(key, notes.length);
    }
    return noteIndex.get(key)!;
  };
  const counts = new Map(engines.map((e) => [e.name, { pass: 0, fail: 0, na: 0, notRun: 0 }]));

  const header = ['scenario', ...engines.flatMap((e) => RESOURCE_KEYS.map((k) => `${e.label}: ${k}`))];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of ROWS) {
    const cells: string[] = [`**${row.id}** ${row.title}`];
    for (const engine of engines) {
      const result = byKey.get(`${row.id}.${engine.name}`);
      const c = counts.get(engine.name)!;
      for (const key of RESOURCE_KEYS) {
        if (engine.missing) {
          c.notRun++;
          cells.push(`not run [${note(`${engine.name} is not installed: ${engine.missing}`)}]`);
          continue;
        }
        const cell = result?.cells[key];
        if (!cell) {
          c.notRun++;
          cells.push(`not run [${note(`not run in this jest run (${row.file}.test.ts not selected, or it crashed before recording)`)}]`);
        } else if (cell.status === 'pass') {
          c.pass++;
          cells.push('pass');
        } else if (cell.status === 'fail') {
          c.fail++;
          cells.push(`**FAIL** [${note(`${row.id} / ${RESOURCE_TYPES[key]} / ${engine.label}: ${cell.why}`)}]`);
        } else {
          c.na++;
          cells.push(`n/a [${note(cell.why)}]`);
        }
      }
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const totals = engines.map((e) => {
    const c = counts.get(e.name)!;
    return `- ${e.label}: ${c.pass} pass, ${c.fail} fail, ${c.na} not applicable, ${c.notRun} not run`;
  });
  const wall = results.reduce((sum, r) => sum + r.ms, 0);
  return [
    '# Lifecycle conformance matrix',
    '',
    `Scenario × object type × engine. Rows: __tests__/lifecycle/scenarios.ts; ${results.length} row runs recorded, ${(wall / 1000).toFixed(0)} s of scenario time (summed over concurrent runs).`,
    '',
    ...totals,
    '',
    ...lines,
    '',
    '## Notes',
    '',
    ...notes.map((n, i) => `${i + 1}. ${n}`),
    '',
  ].join('\n');
}

export function writeMatrix(): string | null {
  const results = readRowResults();
  if (results.length === 0) return null;
  const md = renderMatrix(results);
  mkdirSync(OUTPUT, { recursive: true });
  writeFileSync(MATRIX_FILE, md);
  return md;
}
