/**
 * The suffixes of a density case's fairness figures (src/runner/density-metrics.ts): how
 * evenly N guests shared the host, not how fast any of them ran. Read where a rule holds for
 * speeds only, e.g. that a guest is never better than native (src/stats/sanity-faster.ts):
 * a VM's guests may well share more evenly than native processes do.
 */
export const MIN_MAX_SUFFIX = '.min_max_ratio';
export const JAIN_SUFFIX = '.jain';

export function isFairnessMetric(metric: string): boolean {
  return metric.endsWith(MIN_MAX_SUFFIX) || metric.endsWith(JAIN_SUFFIX);
}
