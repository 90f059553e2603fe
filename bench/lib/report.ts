/** The results table: one row per figure, each measured against its floor from the same run. */

export interface Row {
  bench: string;
  case: string;
  measured: string;
  floor: string;
  ratio: string;
  target: string;
  /** true: meets the target; false: misses it; undefined: no target (or not checked in this mode). */
  ok: boolean | undefined;
}

export function formatTable(rows: Row[]): string {
  const header: Row = { bench: 'bench', case: 'case', measured: 'measured', floor: 'floor (same run)', ratio: 'ratio', target: 'target', ok: undefined };
  const cells = (row: Row, isHeader = false) => [
    row.bench,
    row.case,
    row.measured,
    row.floor,
    row.ratio,
    row.target,
    isHeader ? 'ok' : row.ok === undefined ? '' : row.ok ? 'yes' : 'NO',
  ];
  const all = [cells(header, true), ...rows.map((row) => cells(row))];
  const widths = all[0]!.map((_, column) => Math.max(...all.map((line) => line[column]!.length)));
  const line = (values: string[]) => `| ${values.map((value, column) => value.padEnd(widths[column]!)).join(' | ')} |`;
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  return [line(all[0]!), rule, ...all.slice(1).map(line)].join('\n');
}

export const ms = (value: number, digits = 1) => `${value.toFixed(digits)} ms`;
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const times = (value: number) => `×${value.toFixed(2)}`;
export const perSecond = (value: number) => `${value.toFixed(1)}/s`;
