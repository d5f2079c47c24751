import { backendNames } from '../backends/registry.ts';
import type { Case, ResolvedSuite, XenType } from '../suite/types.ts';
import { HvbError } from '../util/errors.ts';

const XEN_TYPES: readonly XenType[] = ['pv', 'pvh', 'hvm'];

/**
 * Command-line choices that replace the suite's own: `--backend` runs the suite's workloads
 * on these backends (whether or not the suite lists them), `--xen-type` sets the Xen guest
 * types, `--repetitions` the measured repetitions. Unknown names are usage errors.
 */
export function applyOverrides(suite: ResolvedSuite, o: { backends?: string[]; xenTypes?: string[]; repetitions?: number }): void {
  if (o.backends) {
    if (o.backends.length === 0) throw emptySelection('--backend', 'backend', backendNames);
    const unknown = o.backends.filter((b) => !backendNames.includes(b));
    if (unknown.length > 0) throw new HvbError('usage', `--backend ${unknown.join(',')}: unknown backend; known backends: ${backendNames.join(', ')}`);
    suite.backends = [...new Set(o.backends)];
  }
  if (o.xenTypes) {
    if (o.xenTypes.length === 0) throw emptySelection('--xen-type', 'Xen guest type', XEN_TYPES);
    const unknown = o.xenTypes.filter((t) => !(XEN_TYPES as readonly string[]).includes(t));
    if (unknown.length > 0) throw new HvbError('usage', `--xen-type ${unknown.join(',')}: expected pv, pvh or hvm`);
    suite.xenTypes = [...new Set(o.xenTypes)] as XenType[];
  }
  if (o.repetitions !== undefined) {
    suite.repetitions = o.repetitions;
    if (suite.maxRepetitions !== undefined && suite.maxRepetitions < o.repetitions) suite.maxRepetitions = o.repetitions;
  }
}

/** Keeps the cases of the named workloads; a name the suite does not use is an error, not an empty run. */
export function filterByWorkload(cases: Case[], names: string[] | undefined, suiteFile: string): Case[] {
  if (!names) return cases;
  const used = new Set(cases.map((c) => c.workload));
  if (names.length === 0) throw emptySelection('--workload', 'workload', [...used]);
  const unknown = names.filter((n) => !used.has(n));
  if (unknown.length > 0) {
    throw new HvbError('usage', `--workload ${unknown.join(',')}: ${suiteFile} has no cases for ${unknown.length > 1 ? 'these workloads' : 'this workload'}; it uses ${[...used].join(', ')}`);
  }
  return cases.filter((c) => names.includes(c.workload));
}

/** `--backend ''` (or only commas and spaces) selects nothing: bad input, never an empty run. */
function emptySelection(flag: string, noun: string, known: readonly string[]): HvbError {
  return new HvbError('usage', `${flag}: expected at least one ${noun} name, received an empty list`, { hint: `known: ${known.join(', ')}` });
}

/** `{ [key]: value }` when the value is given, `{}` otherwise (for optional fields). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
