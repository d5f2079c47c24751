import { ioModeOf } from '../../../src/devices/models.ts';
import { MAX_CASES, MAX_TIMEOUT_SEC } from '../../../src/suite/defaults.ts';
import type { SuiteDeps } from '../../../src/suite/types.ts';
import { cyclic, deep, defineThrowingGetter, LONG, universal, wrongTypes } from './odd-values.ts';
import { paramSpaces } from './params.ts';
import type { Random } from './random.ts';
import { BACKENDS, type Json } from './valid-suite.ts';

/**
 * Ways to break a valid suite, each at one known place. A mutation changes the suite it is
 * given (or returns a replacement for it) and says which field the error must name; it
 * returns undefined when it does not apply to this suite, and the caller draws another.
 */
export interface Mutant {
  value: unknown;
  /** The field the error must name: the path of the broken field, or [] for the suite itself. */
  path: PropertyKey[];
  /** What was done, for the failure report. */
  note: string;
}

export type Mutation = (r: Random, suite: Json, deps: SuiteDeps) => Mutant | undefined;

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array';

/** The type of every field of a suite, by path (`*` for any list index or metric name). */
const FIELD_KINDS: Record<string, Kind> = {
  name: 'string',
  description: 'string',
  guest: 'object',
  'guest.vcpus': 'number',
  'guest.memoryMiB': 'number',
  backends: 'array',
  'backends.*': 'string',
  repetitions: 'number',
  warmup: 'number',
  timeoutSec: 'number',
  maxRepetitions: 'number',
  targetCiHalfWidth: 'number',
  timeBudgetSec: 'number',
  stopMetric: 'string',
  interleave: 'boolean',
  compare: 'object',
  'compare.alpha': 'number',
  'compare.noiseThreshold': 'number',
  'compare.metrics': 'object',
  'compare.metrics.*': 'object',
  'compare.metrics.*.alpha': 'number',
  'compare.metrics.*.noiseThreshold': 'number',
  xenTypes: 'array',
  'xenTypes.*': 'string',
  hosts: 'array',
  'hosts.*': 'string',
  workloads: 'array',
  'workloads.*': 'object',
  'workloads.*.workload': 'string',
  'workloads.*.params': 'object',
};

/** Numbers each number field refuses: out of range, not an integer, not finite, -0 where 0 is refused. */
const BAD_NUMBERS: Record<string, number[]> = {
  'guest.vcpus': [0, -0, -1, 256, 1.5, 1e308, 2 ** 53 + 2, Number.MIN_VALUE],
  'guest.memoryMiB': [63, 0, -0, -64, 64.5, 1e21, Number.MAX_SAFE_INTEGER + 2],
  repetitions: [0, -0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER + 2, -1e308],
  warmup: [-1, 0.5, -1e308, Number.MAX_SAFE_INTEGER + 2, -Number.MIN_VALUE],
  timeoutSec: [0, -0, -1, -1e-9, MAX_TIMEOUT_SEC + 1, 1e300, Number.MAX_VALUE],
  maxRepetitions: [0, -0, 1.5, 1e21],
  targetCiHalfWidth: [0, -0, 1, 2, -0.5, 1e308],
  timeBudgetSec: [0, -0, -5, -1e308],
  'compare.alpha': [0, -0, 1, 1.5, -0.1],
  'compare.noiseThreshold': [-0.01, -1e308],
  'compare.metrics.*.alpha': [0, 1, 100],
  'compare.metrics.*.noiseThreshold': [-1],
};

/** Keys no object of a suite has; misspellings of real keys are made on the fly. */
const ODD_KEYS = [
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__proto__',
  '__defineGetter__',
  'prototype',
  '',
  ' ',
  'a.b',
  '0',
  '\u001b[31m',
  '\ud800',
  'x'.repeat(1000),
];

const BAD_NAMES = [
  'tcgg',
  'TCG',
  'Kvm',
  'kvm ',
  ' xen',
  'xen\u0000',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  '',
  LONG,
  '\u001b[31mtcg',
  '\ud800',
  'qemu',
  'tcg,kvm',
  'cpuu',
  'CPU',
  'network',
  'boot\n',
  'valueOf',
];

/** Every node of a suite (objects, arrays and leaves) by path, the suite itself first. */
export function nodes(value: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  const out = [path];
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...nodes(v, [...path, Array.isArray(value) ? Number(k) : k]));
  }
  return out;
}

function get(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) v = (v as Record<PropertyKey, unknown>)[key];
  return v;
}

/** Sets the value at `path` as an own property (also for `__proto__`); returns the new root. */
function set(root: unknown, path: readonly PropertyKey[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = get(root, path.slice(0, -1)) as object;
  Object.defineProperty(parent, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
  return root;
}

/** `workloads.*.params`-style pattern of a path: list indexes and metric names become `*`. */
function pattern(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' || (path[i - 1] === 'metrics' && path[0] === 'compare') ? '*' : String(k))).join('.');
}

/** A parameter's values are checked once axes are crossed, so errors name the parameter, not the axis index. */
export function blamed(path: readonly PropertyKey[]): PropertyKey[] {
  return path[0] === 'workloads' && path[2] === 'params' && path.length > 4 ? path.slice(0, 4) : [...path];
}

function mutant(value: unknown, path: PropertyKey[], note: string): Mutant {
  return { value, path: blamed(path), note };
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol' || typeof v === 'function') return typeof v;
  if (Object.is(v, -0)) return '-0';
  try {
    const json = JSON.stringify(v);
    return json === undefined ? String(v) : json.length > 40 ? `${json.slice(0, 40)}…` : json;
  } catch {
    return Object.prototype.toString.call(v);
  }
}

function entries(suite: Json): Json[] {
  return suite.workloads as Json[];
}

/** An entry with parameters the workload takes, its index and the parameter spaces. */
function entryWithParams(r: Random, suite: Json, deps: SuiteDeps) {
  const candidates = entries(suite)
    .map((e, i) => ({ e, i, spaces: paramSpaces(deps.workloads[e.workload as string]!) }))
    .filter((c) => Object.keys(c.spaces).length > 0);
  return candidates.length ? r.pick(candidates) : undefined;
}

const oddValueAnywhere: Mutation = (r, suite) => {
  const path = r.pick(nodes(suite));
  const value = r.pick(universal());
  return mutant(set(suite, path, value), path, `${describe(value)} at ${pattern(path) || 'the suite'}`);
};

const wrongType: Mutation = (r, suite) => {
  const path = r.pick(nodes(suite).filter((p) => FIELD_KINDS[pattern(p)]));
  if (!path) return undefined;
  const value = r.pick(wrongTypes(FIELD_KINDS[pattern(path)]!));
  return mutant(set(suite, path, value), path, `${describe(value)} for ${pattern(path)}`);
};

const badNumber: Mutation = (r, suite) => {
  const field = r.pick(Object.keys(BAD_NUMBERS));
  const path = field.split('.').map((k) => (k === '*' ? 'cpu.events_per_s' : k));
  for (let i = 1; i < path.length; i++) if (typeof get(suite, path.slice(0, i)) !== 'object') set(suite, path.slice(0, i), {});
  const value = r.pick(BAD_NUMBERS[field]!);
  return mutant(set(suite, path, value), path, `${describe(value)} for ${field}`);
};

const impossibleRepetitions: Mutation = (r, suite) => {
  const repetitions = r.int(2, 50);
  suite.repetitions = repetitions;
  suite.maxRepetitions = r.int(1, repetitions - 1);
  return mutant(suite, ['maxRepetitions'], `maxRepetitions ${String(suite.maxRepetitions)} < repetitions ${repetitions}`);
};

const unknownKey: Mutation = (r, suite, deps) => {
  const targets: PropertyKey[][] = [[], ['guest'], ['compare'], ['compare', 'metrics'], ['compare', 'metrics', 'cpu.events_per_s']];
  for (const [i] of entries(suite).entries()) targets.push(['workloads', i], ['workloads', i, 'params']);
  const at = r.pick(targets);
  for (let i = 0; i <= at.length; i++) if (get(suite, at.slice(0, i)) === undefined) set(suite, at.slice(0, i), {});
  const known =
    at[2] === 'params'
      ? Object.keys(paramSpaces(deps.workloads[entries(suite)[at[1] as number]!.workload as string]!))
      : Object.keys(FIELD_KINDS)
          .map((f) => f.split('.'))
          .filter((parts) => parts.length === at.length + 1 && parts.slice(0, -1).join('.') === pattern(at))
          .map((parts) => parts[parts.length - 1]!);
  let key: string;
  if (pattern(at) === 'compare.metrics')
    key = r.pick(['', '__proto__']); // any other metric name is allowed
  else if (r.chance(0.5) || known.length === 0) key = r.pick(ODD_KEYS);
  else key = misspell(r, r.pick(known));
  if (known.includes(key)) return undefined;
  set(suite, [...at, key], r.pick([1, 'x', { alpha: 2 }, null]));
  return mutant(suite, [...at, key], `unknown key ${describe(key)} in ${pattern(at) || 'the suite'}`);
};

/** An own `__proto__` (as JSON.parse or a computed key makes it) or another Object.prototype name as a key. */
const prototypeKey: Mutation = (r, suite, deps) => {
  const objects = nodes(suite).filter((p) => {
    const v = get(suite, p);
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  });
  const at = r.pick(objects);
  const metrics = pattern(at) === 'compare.metrics';
  const params = at[2] === 'params' && at.length === 3;
  const key = metrics ? '__proto__' : r.pick(['__proto__', '__proto__', 'constructor', 'prototype', 'toString', '__defineGetter__', 'hasOwnProperty']);
  if (params && Object.hasOwn(paramSpaces(deps.workloads[entries(suite)[at[1] as number]!.workload as string]!), key)) return undefined;
  if (pattern(at).startsWith('workloads.*.params.')) return undefined; // inside a parameter value: not a key of the suite
  set(suite, [...at, key], r.pick([{ threads: 9 }, { alpha: 2 }, { alpha: 0.5 }, 1, null, {}]));
  return mutant(suite, [...at, key], `own key ${key} in ${pattern(at) || 'the suite'}`);
};

function misspell(r: Random, word: string): string {
  const i = r.int(0, word.length - 1);
  switch (r.int(0, 3)) {
    case 0:
      return word.slice(0, i) + word.slice(i + 1);
    case 1:
      return `${word}s`;
    case 2:
      return word.toUpperCase();
    default:
      return `${word.slice(0, i)}${word[i + 1] ?? ''}${word[i]}${word.slice(i + 2)}`;
  }
}

const badBackend: Mutation = (r, suite) => {
  const backends = (suite.backends ??= ['tcg']) as string[];
  const name = r.chance(0.2) ? r.pick(backends) : r.pick(BAD_NAMES);
  const at = r.int(0, backends.length);
  if (backends.includes(name))
    backends.push(name); // a repeat is reported where it repeats
  else backends.splice(at, 0, name);
  const index = backends.includes(name) && backends.indexOf(name) !== backends.lastIndexOf(name) ? backends.lastIndexOf(name) : at;
  return mutant(suite, ['backends', index], `backend ${describe(name)}`);
};

const repeatedName: Mutation = (r, suite) => {
  const field = r.pick(['xenTypes', 'hosts'] as const);
  const list = (suite[field] ??= field === 'xenTypes' ? ['pvh'] : ['local']) as string[];
  list.push(r.pick(list));
  return mutant(suite, [field, list.length - 1], `${field} with a repeat`);
};

const badListEntry: Mutation = (r, suite) => {
  const field = r.pick(['xenTypes', 'hosts'] as const);
  const list = (suite[field] ??= field === 'xenTypes' ? ['pvh'] : ['local']) as string[];
  const bad =
    field === 'xenTypes' ? r.pick(['PV', 'hvm ', 'kvm', '', 'pvhvm', LONG]) : r.pick(['-x', 'a b', '', '.', 'x'.repeat(65), 'lab/kvm', '\u001b', 'ü']);
  const at = r.int(0, list.length);
  list.splice(at, 0, bad);
  return mutant(suite, [field, at], `${field} entry ${describe(bad)}`);
};

const unknownWorkload: Mutation = (r, suite) => {
  const i = r.int(0, entries(suite).length - 1);
  const name = r.pick(BAD_NAMES);
  entries(suite)[i]!.workload = name;
  return mutant(suite, ['workloads', i, 'workload'], `workload ${describe(name)}`);
};

const badParamValue: Mutation = (r, suite, deps) => {
  const c = entryWithParams(r, suite, deps);
  if (!c) return undefined;
  const key = r.pick(Object.keys(c.spaces));
  const space = c.spaces[key]!;
  const bad = r.pick(space.invalid);
  const params = (c.e.params ??= {}) as Json;
  let value: unknown = bad;
  if (r.chance(0.5)) {
    // Hidden in an axis among values the parameter takes.
    const axis = r.sample(space.valid, r.int(0, space.valid.length));
    axis.splice(r.int(0, axis.length), 0, bad);
    value = axis;
  }
  set(params, [key], value);
  return mutant(suite, ['workloads', c.i, 'params', key], `${c.e.workload as string} ${key} = ${describe(value)}`);
};

const ioDisagrees: Mutation = (r, suite, deps) => {
  const workload = r.pick(['disk', 'net'].filter((w) => deps.workloads[w]));
  if (!workload) return undefined;
  const device = r.pick(paramSpaces(deps.workloads[workload]!).device!.valid as string[]);
  const io = ioModeOf(device) === 'paravirtual' ? 'emulated' : 'paravirtual';
  entries(suite).push({ workload, params: { io, device } });
  return mutant(suite, ['workloads', entries(suite).length - 1, 'params', 'device'], `${workload} io=${io} with device=${device}`);
};

const badAxis: Mutation = (r, suite, deps) => {
  const c = entryWithParams(r, suite, deps);
  if (!c) return undefined;
  const key = r.pick(Object.keys(c.spaces));
  const valid = c.spaces[key]!.valid;
  const kinds = [() => [], () => new Array(r.int(1, 5)), () => [valid[0], , valid[1] ?? valid[0]], () => [, valid[0]], () => [valid[0], ,]];
  const value = r.pick(kinds)();
  set((c.e.params ??= {}) as Json, [key], value);
  return mutant(suite, ['workloads', c.i, 'params', key], `${key} axis ${value.length === 0 ? 'empty' : 'with a hole'}`);
};

const repeatedCase: Mutation = (r, suite) => {
  const list = entries(suite);
  const i = r.int(0, list.length - 1);
  list.push(structuredClone(list[i]!));
  return mutant(suite, ['workloads', list.length - 1], `workloads[${i}] repeated`);
};

const hugeMatrix: Mutation = (r, suite, deps) => {
  const choice = r.int(0, 2);
  if (choice === 0) {
    // Many entries, each one case: the size is checked before the repeats are.
    suite.workloads = Array.from({ length: MAX_CASES + r.int(1, 5000) }, () => ({ workload: 'boot' }));
    suite.backends = ['tcg'];
    return mutant(suite, ['workloads'], `${entries(suite).length} entries`);
  }
  const ranged = Object.keys(deps.workloads).flatMap((w) =>
    Object.entries(paramSpaces(deps.workloads[w]!))
      .filter(([, s]) => s.range && s.range.hi - s.range.lo >= 200)
      .map(([k, s]) => ({ w, k, range: s.range! })),
  );
  const axis = (range: { lo: number }, n: number) => Array.from({ length: n }, (_, i) => range.lo + i);
  const params: Json = {};
  let one: (typeof ranged)[number];
  if (choice === 1) {
    // One long axis.
    one = r.pick(ranged.filter((x) => x.range.hi - x.range.lo >= MAX_CASES));
    params[one.k] = axis(one.range, Math.min(one.range.hi - one.range.lo + 1, r.pick([MAX_CASES + 1, 50_000, 1_000_000])));
  } else {
    // Two axes, each short enough, crossed.
    one = r.pick(ranged.filter((x) => ranged.some((y) => y.w === x.w && y.k !== x.k)));
    const two = r.pick(ranged.filter((y) => y.w === one.w && y.k !== one.k));
    params[one.k] = axis(one.range, 101);
    params[two.k] = axis(two.range, 100);
  }
  entries(suite).push({ workload: one.w, params });
  return mutant(
    suite,
    ['workloads'],
    `${one.w} with axes ${Object.entries(params)
      .map(([k, v]) => `${k}×${(v as unknown[]).length}`)
      .join(' ')}`,
  );
};

const deepValue: Mutation = (r, suite) => {
  const path = r.pick(nodes(suite));
  const array = r.chance(0.5);
  const depth = r.pick([100, 2000, 20_000]);
  return mutant(set(suite, path, deep(depth, array)), path, `${array ? 'array' : 'object'} ${depth} deep at ${pattern(path) || 'the suite'}`);
};

const cyclicValue: Mutation = (r, suite) => {
  const path = r.pick(nodes(suite));
  const array = r.chance(0.5);
  return mutant(set(suite, path, cyclic(array)), path, `cyclic ${array ? 'array' : 'object'} at ${pattern(path) || 'the suite'}`);
};

const throwingGetter: Mutation = (r, suite) => {
  const holders = nodes(suite).filter((p) => {
    const v = get(suite, p);
    return v !== null && typeof v === 'object' && Object.keys(v).length > 0;
  });
  const at = r.pick(holders);
  const holder = get(suite, at) as object;
  const key = r.pick(Object.keys(holder));
  const path = [...at, Array.isArray(holder) ? Number(key) : key];
  defineThrowingGetter(holder, key);
  return mutant(suite, path, `a getter that throws at ${pattern(path)}`);
};

const notASuite: Mutation = (r, suite) => {
  const value = r.pick([...wrongTypes('object'), [suite], new Map(Object.entries(suite)), new Date(0), new Uint8Array(4)]);
  return mutant(value, [], `the suite is ${describe(value)}`);
};

const longString: Mutation = (r, suite) => {
  const path = r.pick([['name'], ['backends', 0], ['workloads', 0, 'workload'], ['xenTypes', 0], ['hosts', 0], ['stopMetric']]);
  const value = path[0] === 'stopMetric' ? '' : r.pick([LONG, 'a'.repeat(65), `${LONG}\u0000`]);
  for (let i = 1; i < path.length; i++) if (get(suite, path.slice(0, i)) === undefined) set(suite, path.slice(0, i), []);
  return mutant(set(suite, path, value), path, `${value.length} characters at ${pattern(path)}`);
};

/** Every mutation by name; the test checks each is used. */
export const MUTATIONS: Record<string, Mutation> = {
  oddValueAnywhere,
  wrongType,
  badNumber,
  impossibleRepetitions,
  unknownKey,
  prototypeKey,
  badBackend,
  repeatedName,
  badListEntry,
  unknownWorkload,
  badParamValue,
  ioDisagrees,
  badAxis,
  repeatedCase,
  hugeMatrix,
  deepValue,
  cyclicValue,
  throwingGetter,
  notASuite,
  longString,
};

export { BACKENDS };
