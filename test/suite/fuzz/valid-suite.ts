import { DEFAULT_REPETITIONS } from '../../../src/suite/defaults.ts';
import type { SuiteDeps } from '../../../src/suite/types.ts';
import { paramSpaces, type ParamSpace } from './params.ts';
import type { Random } from './random.ts';

/** The backends the fuzzer's suites name; the real registry has these. */
export const BACKENDS = ['tcg', 'kvm', 'xen', 'native'] as const;

export type Json = Record<string, unknown>;

/**
 * A valid suite of plain data, drawn at random: some optional fields, one to three workload
 * entries (different workloads, so no case repeats) with parameters as values or short axes.
 * The caller checks it resolves and expands, and draws again if it does not (e.g. when `io`
 * and `device` disagree).
 */
export function validSuite(r: Random, deps: SuiteDeps): Json {
  const suite: Json = { name: r.string(r.int(1, 20), 'abcdefghijklmnopqrstuvwxyz0123456789-') };
  const repetitions = r.int(1, 5);
  if (r.chance(0.5)) suite.description = r.pick(['', 'what it measures', 'ünïcode ✓']);
  if (r.chance(0.5)) suite.guest = pickFields(r, { vcpus: r.int(1, 255), memoryMiB: r.int(64, 4096) });
  if (r.chance(0.7)) suite.backends = r.sample(BACKENDS, r.int(1, 3));
  if (r.chance(0.6)) suite.repetitions = repetitions;
  if (r.chance(0.3)) suite.warmup = r.int(0, 2);
  if (r.chance(0.3)) suite.timeoutSec = r.pick([1, 60, 0.5, 3600]);
  if (r.chance(0.3)) suite.maxRepetitions = ((suite.repetitions as number | undefined) ?? DEFAULT_REPETITIONS) + r.int(0, 5);
  if (r.chance(0.3)) suite.targetCiHalfWidth = r.pick([0.01, 0.5, 0.999]);
  if (r.chance(0.3)) suite.timeBudgetSec = r.pick([1, 600]);
  // A metric every workload measures (a stop metric must be), whichever workloads are drawn.
  if (r.chance(0.2)) suite.stopMetric = 'boot.to_ready_ms';
  if (r.chance(0.3)) suite.interleave = r.chance(0.5);
  if (r.chance(0.3))
    suite.compare = pickFields(r, { alpha: 0.05, noiseThreshold: 0.1, metrics: { 'cpu.events_per_s': pickFields(r, { alpha: 0.01, noiseThreshold: 0 }) } });
  if (r.chance(0.3)) suite.xenTypes = r.sample(['pv', 'pvh', 'hvm'], r.int(1, 3));
  if (r.chance(0.2)) suite.hosts = r.sample(['local', 'lab-kvm', 'lab-xen'], r.int(1, 2));
  suite.workloads = r.sample(Object.keys(deps.workloads), r.int(1, 3)).map((name) => entry(r, name, paramSpaces(deps.workloads[name]!)));
  return suite;
}

function entry(r: Random, workload: string, spaces: Record<string, ParamSpace>): Json {
  const keys = r.sample(Object.keys(spaces), r.int(0, 2));
  if (keys.length === 0 && r.chance(0.5)) return { workload };
  const params: Json = {};
  for (const key of keys) {
    const valid = spaces[key]!.valid;
    params[key] = r.chance(0.5) ? r.pick(valid) : r.sample(valid, r.int(1, valid.length));
  }
  return { workload, params };
}

/** A random non-empty subset of the fields, or sometimes none. */
function pickFields(r: Random, fields: Json): Json {
  return Object.fromEntries(Object.entries(fields).filter(() => r.chance(0.6)));
}
