/** Number formatting shared by the statistics tables. */

/** About three significant digits without exponent for everyday magnitudes (12346, 123, 12.3, 1.23, 0.0123). */
export function fmtNumber(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 1e9 || abs < 1e-3) return x.toExponential(2);
  if (abs >= 100) return Math.round(x).toString();
  return Number(x.toPrecision(3)).toString();
}

/** A ratio with three decimals below 10 (0.802), four digits up to 9999 (112.9), else an exponent (1.23e-305). */
export function fmtRatio(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  if (x === 0 || (x >= 0.001 && x < 10)) return x.toFixed(3);
  return x >= 10 && x < 1e4 ? String(Number(x.toPrecision(4))) : x.toExponential(2);
}

/** A signed relative change: +4.2 %, −19.8 %. */
export function fmtChange(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 1e4) return `${x < 0 ? '−' : '+'}${(Math.abs(x) * 100).toExponential(2)} %`;
  const v = (x * 100).toFixed(1);
  return `${x < 0 ? '−' : '+'}${v.replace('-', '')} %`;
}

/** Columns padded to their widest cell; the columns named in `right` are right-aligned; a rule under the header. */
export function alignTable(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<string>): string {
  const table = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...table.map((row) => [...(row[c] ?? '')].length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, c) => {
        const pad = ' '.repeat(widths[c]! - [...cell].length);
        return right.has(header[c]!) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
