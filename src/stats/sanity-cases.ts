import { variantOf } from '../dims/catalogue.ts';
import type { Sample } from '../results/sample.ts';
import { quantileSorted } from './moments.ts';

/**
 * The samples of one run by case (and host, when a run used several): what the clock-drift
 * and CV flags look at. The label is the case id as `hvbench run` prints it, with the
 * host when the run used more than one.
 */

export interface CaseGroup {
  label: string;
  host: string;
  /** The variant (`tcg`, `xen pvh`): whose "usual" a case is measured against. */
  variant: string;
  caseId: string;
  samples: Sample[];
}

export function caseGroups(samples: readonly Sample[]): CaseGroup[] {
  const hosts = new Set(samples.map((s) => String(s.dims.host ?? '')));
  const groups = new Map<string, CaseGroup>();
  for (const s of samples) {
    const host = String(s.dims.host ?? '');
    const caseId = String(s.dims.case ?? '–');
    const key = JSON.stringify([host, caseId]);
    let g = groups.get(key);
    if (!g) {
      const label = hosts.size > 1 && host !== '' ? `${caseId} on ${host}` : caseId;
      groups.set(key, (g = { label, host, variant: variantOf(s.dims), caseId, samples: [] }));
    }
    g.samples.push(s);
  }
  return [...groups.values()];
}

/** The median of finite values (interpolated between the middle two of an even count). */
export function medianOf(values: readonly number[]): number {
  return quantileSorted(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}
