/**
 * The regression gate in simulation (docs/statistics.md): the A/A pass rate of a family
 * like the standard suite's (370 series, 10 repetitions a side, CV 1.5–6 %), with and
 * without the family-wise control, and the power table (change × CV × n). Seeded: the
 * same figures every time. `npm run sim:gate [-- --pairs 1000 --trials 1000]`
 */
import { simulateAa, simulatePower, STANDARD_FAMILY } from '../src/stats/gate-sim.ts';
import { DEFAULT_COMPARE_SETTINGS } from '../src/stats/thresholds.ts';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name}: expected a positive integer`);
  return v;
}

const pairs = option('pairs', 1000);
const trials = option('trials', 1000);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const { alpha, noiseThreshold } = DEFAULT_COMPARE_SETTINGS;

console.log(`regression gate: Welch t on logs, Holm over the family, alpha ${alpha} family-wise, noise threshold ${noiseThreshold * 100} %`);
console.log(`family: ${STANDARD_FAMILY.series} series, CV ${STANDARD_FAMILY.cvMin * 100}–${STANDARD_FAMILY.cvMax * 100} %, n = 10 a side, normal noise\n`);

let t0 = Date.now();
const aa = simulateAa({ pairs, seed: 20261206 });
console.log(
  `A/A, ${pairs} pairs (seed 20261206): gate passes ${aa.passed}/${pairs} = ${pct(aa.passed / pairs)}; no flag at all in ${pct(aa.quiet / pairs)}; ${aa.falseRegressions} false regressions in ${pairs * STANDARD_FAMILY.series} series (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
);
const few = Math.max(1, Math.round(pairs / 10));
for (const noise of ['lognormal', 'contaminated'] as const) {
  t0 = Date.now();
  const other = simulateAa({ pairs: few * 2, seed: 20261208, noise });
  console.log(
    `A/A with ${noise} noise, ${few * 2} pairs: gate passes ${pct(other.passed / other.pairs)}; no flag at all in ${pct(other.quiet / other.pairs)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
  );
}
t0 = Date.now();
const none = simulateAa({ pairs: few, seed: 20261207, correction: 'none' });
console.log(
  `A/A without the family-wise control, ${few} pairs: gate passes ${pct(none.passed / few)}; ${(none.falseRegressions / few).toFixed(2)} false regressions per pair (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
);

const changes = [0.03, 0.05, 0.08, 0.1, 0.2];
const cvs = [0.015, 0.02, 0.04, 0.06];
const ns = [3, 5, 10, 20];
console.log(`power: one series ${'made worse by the change'}, in a family of ${STANDARD_FAMILY.series}; ${trials} trials per cell (seeded)\n`);
const header = ['change', 'CV', ...ns.map((n) => `n=${n}`)];
const rows: string[][] = [];
let seed = 1;
for (const change of changes) {
  for (const cv of cvs) {
    rows.push([`${change * 100} %`, `${cv * 100} %`, ...ns.map((n) => pct(simulatePower({ change, cv, n, trials, seed: seed++ })))]);
  }
}
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`);
for (const r of rows) console.log(line(r));
