import type { Case } from '../suite/types.ts';
import { HvbError } from '../util/errors.ts';

/** Keeps the cases of the named backends; a name the suite does not use is an error, not an empty run. */
export function filterByBackend(cases: Case[], names: string[] | undefined, suiteFile: string): Case[] {
  if (!names) return cases;
  const used = new Set(cases.map((c) => c.backend));
  const unknown = names.filter((n) => !used.has(n));
  if (unknown.length > 0) {
    throw new HvbError('usage', `--backend ${unknown.join(',')}: ${suiteFile} has no cases for ${unknown.length > 1 ? 'these backends' : 'this backend'}; it uses ${[...used].join(', ')}`);
  }
  return cases.filter((c) => names.includes(c.backend));
}

/** Keeps the cases of the named workloads; a name the suite does not use is an error. */
export function filterByWorkload(cases: Case[], names: string[] | undefined, suiteFile: string): Case[] {
  if (!names) return cases;
  const used = new Set(cases.map((c) => c.workload));
  const unknown = names.filter((n) => !used.has(n));
  if (unknown.length > 0) {
    throw new HvbError('usage', `--workload ${unknown.join(',')}: ${suiteFile} has no cases for ${unknown.length > 1 ? 'these workloads' : 'this workload'}${cases.length ? `; it uses ${[...used].join(', ')}` : ''}`);
  }
  return cases.filter((c) => names.includes(c.workload));
}
