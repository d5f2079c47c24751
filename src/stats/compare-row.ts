import type { Better, Dims } from '../results/sample.ts';
import type { Comparison } from './compare.ts';
import type { Summary } from './summary.ts';

/**
 * One series of a compare report: both sides' summaries and the comparison. Its own module
 * because the report builder (compare-report.ts) and the grouping into findings
 * (findings.ts) both need it, and the builder calls the grouping.
 */
export interface CompareRow {
  metric: string;
  unit: string;
  better: Better;
  label: string;
  /** The matched dimensions of the B series. */
  dims: Dims;
  /** The value of the `by` dimension on the B side (one-run comparisons). */
  value?: string;
  /** The reference had no device of its own (native's host file) and stands for B's device model. */
  deviceless?: true;
  /** Facts that took more than one value within a side (`guest clocksource: tsc-early, tsc`). */
  notes?: string[];
  /** Short notes of the sanity flags raised on this row (a guest faster than native), for a table's footnotes. */
  flags?: string[];
  /** The cases each side's samples came from (their equivalence manifests are in run.json). */
  cases?: { a: string[]; b: string[] };
  a: Summary;
  b: Summary;
  comparison: Comparison;
}
