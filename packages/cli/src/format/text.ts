import { unitsToUsd, usdToUnits } from '@auditrail/core';

/** The exact sum of decimal USD amounts (records carry 12 decimals; no float rounding). Null and bad values count 0. */
export function sumUsd(costs: Iterable<string | null | undefined>): string {
  let units = 0n;
  for (const c of costs) units += (c == null ? null : usdToUnits(c)) ?? 0n;
  return unitsToUsd(units);
}

/** `$0.000123`; `unpriced` for null (unknown is not zero). */
export function usd(cost: string | null | undefined): string {
  if (cost === null || cost === undefined) return 'unpriced';
  const n = Number(cost);
  if (n === 0) return '$0';
  return n >= 0.01 ? `$${n.toFixed(4)}` : `$${n.toPrecision(3)}`;
}

export function ms(duration: number | null | undefined): string {
  if (duration === null || duration === undefined) return '';
  return duration >= 1000 ? `${(duration / 1000).toFixed(2)} s` : `${Math.round(duration)} ms`;
}

/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || /^\$?[\d.,]+( ms| s)?$/.test(String(r[i] ?? ''))));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), line(widths.map((w) => '─'.repeat(w))), ...cells.slice(1).map(line)].join('\n') + '\n';
}
