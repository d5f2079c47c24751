import type { Command } from 'commander';
import { backendNames, variantAxes } from '../backends/registry.ts';
import type { SuiteOverrides } from '../results/run-record.ts';
import type { Case, ResolvedSuite } from '../suite/types.ts';
import { HvbError } from '../util/errors.ts';

/**
 * Command-line choices that replace the suite's own: `--backend` runs the suite's workloads
 * on these backends (whether or not the suite lists them), each variant option (`--xen-type`,
 * `--machine`) sets the values of its axis, `--repetitions` the measured repetitions.
 * Unknown names are usage errors.
 */
export function applyOverrides(suite: ResolvedSuite, o: SuiteOverrides): void {
  if (o.backends) {
    if (o.backends.length === 0) throw emptySelection('--backend', 'backend', backendNames);
    const unknown = o.backends.filter((b) => !backendNames.includes(b));
    if (unknown.length > 0) throw new HvbError('usage', `--backend ${unknown.join(',')}: unknown backend; known backends: ${backendNames.join(', ')}`);
    suite.backends = [...new Set(o.backends)];
  }
  for (const axis of variantAxes) {
    const given = o[axis.suiteField];
    if (!Array.isArray(given)) continue;
    const flag = `--${axis.option}`;
    if (given.length === 0) throw emptySelection(flag, axis.label, axis.values);
    const unknown = given.filter((t) => !axis.values.includes(t));
    if (unknown.length > 0) throw new HvbError('usage', `${flag} ${unknown.join(',')}: expected ${orList(axis.values)}`);
    suite[axis.suiteField] = [...new Set(given)];
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
    throw new HvbError(
      'usage',
      `--workload ${unknown.join(',')}: ${suiteFile} has no cases for ${unknown.length > 1 ? 'these workloads' : 'this workload'}; it uses ${[...used].join(', ')}`,
    );
  }
  return cases.filter((c) => names.includes(c.workload));
}

/** `--backend ''` (or only commas and spaces) selects nothing: bad input, never an empty run. */
function emptySelection(flag: string, noun: string, known: readonly string[]): HvbError {
  return new HvbError('usage', `${flag}: expected at least one ${noun} name, received an empty list`, { hint: `known: ${known.join(', ')}` });
}

/** `pv, pvh or hvm` */
function orList(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/** Adds one option per variant axis (`--xen-type`, `--machine`) to `run` and `list`. */
export function addVariantOptions(command: Command): Command {
  for (const axis of variantAxes) {
    command.option(`--${axis.option} <values...>`, `${axis.label}s instead of the suite's ${axis.suiteField}: ${axis.values.join(', ')}`);
  }
  return command;
}

/** The variant options given, under their axes' suite fields (`{ xenTypes: ['pv'] }`). */
export function variantOverrides(opts: Record<string, unknown>, split: (v: string[] | undefined) => string[] | undefined): SuiteOverrides {
  const out: SuiteOverrides = {};
  for (const axis of variantAxes) {
    const key = axis.option.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const values = split(opts[key] as string[] | undefined);
    if (values !== undefined) out[axis.suiteField] = values;
  }
  return out;
}

/** `{ [key]: value }` when the value is given, `{}` otherwise (for optional fields). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
