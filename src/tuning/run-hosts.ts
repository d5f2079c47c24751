import type { Host } from '../hosts/host.ts';
import type { HostFacts, HostTuningRecord } from '../results/run-record.ts';
import { errorInfo } from '../results/run-record.ts';
import { PROFILE_LABELS, type ProfileKey } from './profile.ts';
import { readProfile } from './read.ts';
import { stabilize, type StabilizeResult } from './stabilize.ts';

/**
 * The host state of a run's hosts: stabilised first when asked (`run --stabilize`), read
 * once the hosts are ready to measure (`before`) and again when measuring stops (`after`,
 * before anything is put back), so a change during the run — someone's `cpupower`, a THP
 * switch — shows in the report. A host that does not answer the read is recorded with why;
 * the run goes on.
 */
export interface RunHostsTuning {
  /** What is recorded per host name, so far. */
  readonly records: ReadonlyMap<string, HostTuningRecord>;
  /** Reads every host again and puts back what was stabilised; safe to call twice. */
  end(): Promise<void>;
}

export interface TuningRunOptions {
  stabilize?: boolean;
  log?: (line: string) => void;
  /** Where restore records go (default: under hvbench's cache). */
  stateDir?: string;
}

export async function beginRunTuning(hosts: readonly Host[], o: TuningRunOptions = {}): Promise<RunHostsTuning> {
  const log = o.log ?? (() => undefined);
  const records = new Map<string, HostTuningRecord>();
  const stabilized = new Map<string, StabilizeResult>();
  await Promise.all(
    hosts.map(async (host) => {
      const record: HostTuningRecord = {};
      records.set(host.name, record);
      if (o.stabilize) {
        try {
          const s = await stabilize(host, o.stateDir === undefined ? {} : { stateDir: o.stateDir });
          stabilized.set(host.name, s);
          record.stabilized = { changed: s.changed, notChanged: s.notChanged };
          for (const line of stabilizeLines(s)) log(`stabilize ${host.name}: ${line}`);
        } catch (e) {
          record.stabilized = { changed: [], notChanged: [{ setting: 'all', why: `nothing changed: ${errorInfo(e).message}` }] };
          log(`stabilize ${host.name}: nothing changed: ${errorInfo(e).message}`);
        }
      }
      try {
        record.before = await readProfile(host);
      } catch (e) {
        record.unreadable = errorInfo(e).message;
      }
    }),
  );
  let ended = false;
  return {
    records,
    end: async () => {
      if (ended) return;
      ended = true;
      await Promise.all(
        hosts.map(async (host) => {
          const record = records.get(host.name)!;
          try {
            record.after = await readProfile(host);
          } catch (e) {
            record.unreadable = errorInfo(e).message;
          }
          const s = stabilized.get(host.name);
          if (s && s.changed.length > 0 && record.stabilized) {
            const problems = await s.restore().catch((e: unknown) => [`${host.name}: could not put the settings back: ${errorInfo(e).message}`]);
            record.stabilized.restored = problems.length === 0;
            if (problems.length > 0) record.stabilized.restoreProblems = problems;
            log(
              problems.length === 0
                ? `stabilize ${host.name}: previous settings restored`
                : `stabilize ${host.name}: ${problems.join('; ')} (hvbench clean tries again)`,
            );
          }
        }),
      );
    },
  };
}

/** What stabilising a host changed and left, one line each. */
export function stabilizeLines(s: Pick<StabilizeResult, 'changed' | 'notChanged'>): string[] {
  const label = (k: string) => PROFILE_LABELS[k as ProfileKey] ?? k;
  const bySetting = new Map<string, string[]>();
  for (const c of s.changed) (bySetting.get(c.setting) ?? bySetting.set(c.setting, []).get(c.setting)!).push(`${c.previous} → ${c.applied}`);
  return [
    ...[...bySetting].map(([k, v]) => `${label(k)} set: ${[...new Set(v)].join(', ')}${v.length > 1 ? ` (${v.length} files)` : ''}`),
    ...s.notChanged.map((n) => `${label(n.setting)} not changed: ${n.why}`),
  ];
}

/** Puts each host's record on its facts in run.json (hosts matched by name). */
export function recordTuning(hosts: HostFacts[], records: ReadonlyMap<string, HostTuningRecord>): void {
  for (const h of hosts) {
    const r = records.get(h.name);
    if (r) h.tuning = r;
  }
}
