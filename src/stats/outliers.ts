import { median } from 'simple-statistics';

/**
 * Outliers by the modified Z-score (Iglewicz & Hoaglin, 1993):
 * M_i = 0.6745 · (x_i − median) / MAD, an outlier when |M_i| > 3.5.
 * When the MAD is 0 (more than half the values equal) the mean absolute deviation
 * scaled by 1.2533 takes its place (M_i = (x_i − median) / (1.2533 · MeanAD)); when that
 * is 0 too, every value equals the median and nothing is an outlier.
 * Outliers are reported, never removed: the warning says what to do about them.
 */

export const OUTLIER_THRESHOLD = 3.5;
/** Φ⁻¹(0.75): makes the MAD of normal data estimate its standard deviation. */
const MAD_FACTOR = 0.6745;
/** √(π/2): the same for the mean absolute deviation. */
const MEAN_AD_FACTOR = 1.2533;

export interface Outlier {
  /** Position in the series (0-based). */
  index: number;
  value: number;
  score: number;
}

/** Modified Z-scores of every value (0 for all when the series has no spread). */
export function modifiedZScores(input: readonly number[]): number[] {
  if (input.length === 0) return [];
  // Scores are scale-free: dividing by the largest |x| first keeps extreme values from overflowing.
  const scale = Math.max(...input.map(Math.abs)) || 1;
  const values = input.map((v) => v / scale);
  const mid = median([...values]);
  const deviations = values.map((v) => Math.abs(v - mid));
  const mad = median(deviations);
  if (mad > 0) return values.map((v) => (MAD_FACTOR * (v - mid)) / mad);
  const meanAd = deviations.reduce((s, d) => s + d, 0) / values.length;
  if (meanAd > 0) return values.map((v) => (v - mid) / (MEAN_AD_FACTOR * meanAd));
  return values.map(() => 0);
}

/**
 * Fewer values than this are never judged: with 3 or 4 values the median and MAD rest on
 * one or two values, and a "verdict" would be noise about noise.
 */
export const MIN_OUTLIER_N = 5;

/** The values whose |modified Z-score| exceeds the threshold, in series order. Needs ≥ MIN_OUTLIER_N values to say anything. */
export function findOutliers(values: readonly number[], threshold = OUTLIER_THRESHOLD): Outlier[] {
  if (values.length < MIN_OUTLIER_N) return [];
  return modifiedZScores(values)
    .map((score, index) => ({ index, value: values[index]!, score }))
    .filter((o) => Math.abs(o.score) > threshold);
}

/**
 * A warning for a series with outliers, or undefined when it has none. `label` names the
 * series; `positions` (optional) gives each value's repetition number for the message.
 */
export function outlierWarning(label: string, values: readonly number[], positions?: readonly number[]): string | undefined {
  const outliers = findOutliers(values);
  if (outliers.length === 0) return undefined;
  const at = (o: Outlier) => `rep ${positions?.[o.index] ?? o.index + 1}: ${formatValue(o.value)} (modified Z ${o.score.toFixed(1)})`;
  const firstIsOutlier = outliers.some((o) => (positions?.[o.index] ?? o.index + 1) === Math.min(...(positions ?? [1])));
  const suggestion = firstIsOutlier
    ? 'the first repetition stands out: add warm-up repetitions (suite field `warmup`) so that cold caches are not measured'
    : 'other work on this machine probably disturbed these repetitions: re-run on a quiet machine, or add repetitions so that they weigh less';
  return `${label}: ${outliers.length} of ${values.length} values ${outliers.length === 1 ? 'is an outlier' : 'are outliers'} (|modified Z| > ${OUTLIER_THRESHOLD}): ${outliers.map(at).join(', ')}; they are kept in every statistic. Suggestion: ${suggestion}.`;
}

function formatValue(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}
