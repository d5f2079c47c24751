import type { Better } from '../results/sample.ts';
import { variantOf } from '../dims/catalogue.ts';
import type { CompareRow } from './compare-row.ts';

/**
 * One change, seen in many cases of one variant, is one finding: a KVM boot that got
 * slower shows in every KVM case (boot, cpu, disk …) and is reported once, with the
 * cases listed, instead of eight times. Rows are grouped by verdict, variant (backend,
 * Xen guest type) and metric; the direction is the verdict's.
 */

export interface FindingCase {
  label: string;
  ratio: number | undefined;
  lo: number | undefined;
  hi: number | undefined;
  pAdjusted: number | undefined;
}

export interface Finding {
  verdict: 'regression' | 'improvement';
  /** `kvm`, `xen pvh`: from the dimension catalogue. */
  variant: string;
  metric: string;
  unit: string;
  better: Better;
  cases: FindingCase[];
  /** Smallest and largest ratio B/A among the cases. */
  ratioRange: { min: number; max: number } | undefined;
}

/** Findings of a regression-gate report: regressions first, then by number of cases and size of the change. */
export function findingsOf(rows: readonly CompareRow[]): Finding[] {
  const groups = new Map<string, Finding>();
  for (const r of rows) {
    const v = r.comparison.verdict;
    if (v !== 'regression' && v !== 'improvement') continue;
    const variant = variantOf(r.dims);
    const key = JSON.stringify([v, variant, r.metric, r.unit, r.better]);
    let f = groups.get(key);
    if (!f) groups.set(key, (f = { verdict: v, variant, metric: r.metric, unit: r.unit, better: r.better, cases: [], ratioRange: undefined }));
    const c = r.comparison;
    f.cases.push({ label: r.label, ratio: c.ratio, lo: c.ratioCi?.lo, hi: c.ratioCi?.hi, pAdjusted: c.pAdjusted });
  }
  const list = [...groups.values()];
  for (const f of list) {
    const ratios = f.cases.map((c) => c.ratio).filter((x): x is number => x !== undefined);
    f.ratioRange = ratios.length > 0 ? { min: Math.min(...ratios), max: Math.max(...ratios) } : undefined;
    f.cases.sort((x, y) => effect(y.ratio) - effect(x.ratio));
  }
  return list.sort(
    (x, y) =>
      (x.verdict === y.verdict ? 0 : x.verdict === 'regression' ? -1 : 1) ||
      y.cases.length - x.cases.length ||
      effect(y.cases[0]?.ratio) - effect(x.cases[0]?.ratio),
  );
}

/** |ln ratio|: the size of a change, the same for ×2 and ×½. */
export function effect(ratio: number | undefined): number {
  return ratio === undefined ? 0 : Math.abs(Math.log(ratio));
}
