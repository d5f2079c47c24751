import type { Better } from '../results/sample.ts';
import { gateVerdict, type Comparison, type Measured } from './compare.ts';

/**
 * Family-wise control for the regression gate. A suite compares hundreds of series at
 * once; tested one by one at level alpha, a few of them cross it by chance in every pair
 * of identical runs. Holm's step-down procedure keeps the probability of even one false
 * alarm over the whole family at most alpha, and is uniformly more powerful than
 * Bonferroni. Series without a p-value (not computable) are not part of the family.
 */

/**
 * Holm-adjusted p-values, in the order given: sort ascending, p_(i) · (m − i + 1), made
 * monotone with a running maximum, capped at 1. A series is significant at family-wise
 * level alpha when its adjusted p is below alpha (R's p.adjust(p, "holm")).
 */
export function holmAdjust(ps: readonly (number | undefined)[]): (number | undefined)[] {
  const present = ps.flatMap((p, i) => (p === undefined ? [] : [{ p, i }])).sort((x, y) => x.p - y.p);
  const m = present.length;
  const out: (number | undefined)[] = ps.map(() => undefined);
  let running = 0;
  present.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, p * (m - rank)));
    out[i] = running;
  });
  return out;
}

/** Gate verdicts for a family of measured comparisons, p adjusted over all of them. */
export function gateFamily(items: readonly { measured: Measured; better: Better }[]): Comparison[] {
  const adjusted = holmAdjust(items.map((x) => (x.measured.problem === undefined && !x.measured.identical ? x.measured.pValue : undefined)));
  const size = adjusted.filter((p) => p !== undefined).length;
  return items.map((x, i) => gateVerdict(x.measured, x.better, adjusted[i], size));
}
