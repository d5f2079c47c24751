/** Which direction of a metric is better. */
export type Better = 'higher' | 'lower';

/** Dimensions of a sample: every parameter of its case plus provenance. Flat, JSON-safe. */
export type Dims = Record<string, string | number | boolean>;

/**
 * One measured value. Samples are the only primary data hvbench keeps: summaries are
 * always computed from them and never replace them.
 */
export interface Sample {
  metric: string;
  value: number;
  unit: string;
  better: Better;
  dims: Dims;
  /** ISO time when the value was measured (host clock). */
  ts: string;
}
