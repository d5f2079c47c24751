import type { MetricBars } from './normalise.ts';
import { sortVariants } from './palette.ts';

/** One row of the summary tables (HTML, Markdown, LaTeX): a series with its mean, 95 % CI and, normalised, its ratio. */
export interface SummaryRow {
  metric: string;
  unit: string;
  better: 'higher' | 'lower';
  column: string;
  variant: string;
  device: string | undefined;
  n: number;
  mean: number;
  lo: number | undefined;
  hi: number | undefined;
  cv: number | undefined;
  /** Ratio to the reference mean, with its 95 % CI, when the metric is normalised. */
  ratio: { reference: string; value: number; lo: number | undefined; hi: number | undefined } | undefined;
}

/** Rows by metric, then column (first-seen order), then backend order. */
export function summaryRows(metrics: readonly MetricBars[]): SummaryRow[] {
  return metrics.flatMap((m) => {
    const variants = sortVariants(m.bars.map((b) => b.group));
    const columns = m.metric.columns.map((c) => c.key);
    const bars = [...m.bars].sort(
      (a, b) =>
        columns.indexOf(a.group.columnKey) - columns.indexOf(b.group.columnKey) || variants.indexOf(a.group.variant) - variants.indexOf(b.group.variant),
    );
    return bars.map(
      (b): SummaryRow => ({
        metric: m.metric.metric,
        unit: m.metric.unit,
        better: m.metric.better,
        column: b.group.column,
        variant: b.group.variant,
        device: b.group.device,
        n: b.summary.n,
        mean: b.summary.mean,
        lo: b.summary.ci95?.lo,
        hi: b.summary.ci95?.hi,
        cv: b.summary.cv,
        ratio: m.reference === undefined || !b.normalised ? undefined : { reference: m.reference, value: b.value, lo: b.lo, hi: b.hi },
      }),
    );
  });
}
