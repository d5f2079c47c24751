import { REFERENCE_BACKEND } from '../dims/reference.ts';
import { isFairnessMetric } from '../results/fairness.ts';
import type { Better, Dims } from '../results/sample.ts';
import type { Comparison } from './compare.ts';
import { ratioText, type SanityFlag } from './sanity.ts';
import { likelyCauses } from './sanity-causes.ts';

/**
 * A guest better than native beyond the interval: the backend comparison's verdict
 * `better` against the native reference, i.e. the whole 95 % interval of guest/native on
 * the better side of 1 and beyond the noise band. A guest pays for virtualization on
 * every figure, so such a figure is more likely measured differently than faster: the
 * flag names the causes that fit the figure's class (sanity-causes.ts). A difference within
 * the noise band is not flagged: host effects of that size (THP, placement) are common.
 */

export interface AgainstReference {
  label: string;
  metric: string;
  better: Better;
  /** The guest's variant (the `by` value of the row). */
  variant: string;
  /** The reference value of the comparison (`native`). */
  reference: string;
  comparison: Comparison;
  dims: Dims;
  guest: Readonly<Record<string, readonly string[]>>;
  referenceFacts: Readonly<Record<string, readonly string[]>>;
}

export function fasterThanNative(row: AgainstReference): SanityFlag | undefined {
  const c = row.comparison;
  if (row.reference !== REFERENCE_BACKEND || c.verdict !== 'better' || c.ratio === undefined || c.ratioCi === undefined) return undefined;
  // How evenly guests shared the host is no speed: guests may share more evenly than processes.
  if (isFairnessMetric(row.metric)) return undefined;
  const arrow = row.better === 'higher' ? '↑' : '↓';
  const times = `${ratioText(c.ratio)}× [${ratioText(c.ratioCi.lo)}, ${ratioText(c.ratioCi.hi)}]`;
  return {
    kind: 'faster-than-native',
    text: `${row.label} ${row.metric} ${arrow}: ${row.variant} at ${times} ${row.reference}, the whole 95 % interval on the better side (${row.better} is better) and beyond the noise band.`,
    causes: likelyCauses({
      metric: row.metric,
      variant: row.variant,
      reference: row.reference,
      dims: row.dims,
      guest: row.guest,
      referenceFacts: row.referenceFacts,
    }),
    note: `faster than ${row.reference} beyond its interval (${times}), a sanity flag: its likely causes are among the warnings`,
  };
}
