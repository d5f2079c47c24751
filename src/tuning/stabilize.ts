import { writeFileSync } from 'node:fs';
import type { Host } from '../hosts/host.ts';
import { processStart } from '../util/proc.ts';
import { bracketedChoice, governorsOf, profileFromTree, type ProfileKey } from './profile.ts';
import { readProfileTree, type ProfileTree } from './read-script.ts';
import { defaultTuningStateDir, removeRestoreRecord, writeRestoreRecord, type RestoreRecord, type TuningChange } from './restore-record.ts';

/**
 * `run --stabilize`: what hvbench sets on a host for the length of a run, and how it puts
 * the previous values back.
 *
 * - the frequency governor of every CPU to `performance` (the clock stays at its top);
 * - turbo off (`intel_pstate/no_turbo` 1, or `cpufreq/boost` 0): the top clock no longer
 *   depends on temperature or on how many cores are busy;
 * - transparent huge pages to `madvise`: only memory that asks for huge pages gets them. QEMU
 *   asks for guest RAM, so guests keep huge pages, while other processes stop competing for
 *   them through khugepaged; and `madvise` is the usual distribution default, so runs on
 *   hosts that were never stabilised compare with it.
 *
 * irqbalance, swap, SMT and idle states are reported by `doctor --tuning`, not changed:
 * stopping a service, moving swapped pages or taking CPUs offline reach beyond one run.
 */
export const STABILIZE_SETTINGS: readonly ProfileKey[] = ['governor', 'turbo', 'thp'];

/** A setting left as it was, and why (already right, not offered here, the write refused). */
export interface NotChanged {
  setting: ProfileKey;
  why: string;
}

export interface StabilizePlan {
  writes: TuningChange[];
  notChanged: NotChanged[];
}

const CPU = '/sys/devices/system/cpu';
const THP_ENABLED = '/sys/kernel/mm/transparent_hugepage/enabled';

/** What stabilising a host whose files are `tree` would write, and what it leaves and why. Pure. */
export function planStabilize(tree: ProfileTree): StabilizePlan {
  const profile = profileFromTree(tree);
  const writes: TuningChange[] = [];
  const notChanged: NotChanged[] = [];
  const governors = governorsOf(tree);
  if (governors.length === 0) notChanged.push({ setting: 'governor', why: unavailableWhy(profile.governor) });
  else {
    const off = governors.filter(([, g]) => g !== 'performance');
    if (off.length === 0) notChanged.push({ setting: 'governor', why: 'already performance' });
    for (const [cpu, g] of off) writes.push({ setting: 'governor', path: `${CPU}/cpu${cpu}/cpufreq/scaling_governor`, previous: g, applied: 'performance' });
  }
  const noTurbo = tree.get(`${CPU}/intel_pstate/no_turbo`);
  const boost = tree.get(`${CPU}/cpufreq/boost`);
  if (noTurbo === '0') writes.push({ setting: 'turbo', path: `${CPU}/intel_pstate/no_turbo`, previous: '0', applied: '1' });
  else if (noTurbo === undefined && boost === '1') writes.push({ setting: 'turbo', path: `${CPU}/cpufreq/boost`, previous: '1', applied: '0' });
  else notChanged.push({ setting: 'turbo', why: noTurbo === '1' || boost === '0' ? 'already off' : unavailableWhy(profile.turbo) });
  const thp = bracketedChoice(tree.get(THP_ENABLED) ?? '');
  if (thp === undefined) notChanged.push({ setting: 'thp', why: unavailableWhy(profile.thp) });
  else if (thp === 'madvise') notChanged.push({ setting: 'thp', why: 'already madvise' });
  else writes.push({ setting: 'thp', path: THP_ENABLED, previous: thp, applied: 'madvise' });
  return { writes, notChanged };
}

function unavailableWhy(r: { unavailable: string } | { value: string }): string {
  return 'unavailable' in r ? `not available here: ${r.unavailable}` : `not changed (${r.value})`;
}

/** Writes one value to a file on `host` (sysfs takes a plain write); undefined, or why it was refused. */
export async function writeSetting(host: Host, path: string, value: string): Promise<string | undefined> {
  const r = await host.exec(['sh', '-c', 'printf "%s\\n" "$2" > "$1"', 'hvbench-tuning', path, value], { timeoutMs: 30_000 });
  return r.exitCode === 0 ? undefined : r.stderr.trim().replace(/^sh: \d*:? ?/, '') || `exit code ${r.exitCode}`;
}

/** What stabilising a host did: each change made, and each setting left with why. */
export interface StabilizeResult {
  host: string;
  changed: TuningChange[];
  notChanged: NotChanged[];
  /** Puts every changed value back and removes the restore record; what could not be put back. */
  restore(): Promise<string[]>;
}

export interface StabilizeOptions {
  stateDir?: string;
  /** The files of the host as read (default: read them now). */
  tree?: ProfileTree;
}

/** Every change of this process not yet restored, on the local host: put back synchronously on the way out. */
const pendingLocal = new Map<string, { record: RestoreRecord; stateDir: string }>();
let exitHookInstalled = false;

/**
 * Stabilises `host` for a run: writes the restore record with every planned change first,
 * then each setting; a write the host refuses is reported, not fatal. The record is then
 * rewritten with what did change (nothing changed: no record).
 */
export async function stabilize(host: Host, o: StabilizeOptions = {}): Promise<StabilizeResult> {
  const stateDir = o.stateDir ?? defaultTuningStateDir();
  const plan = planStabilize(o.tree ?? (await readProfileTree(host)));
  const start = processStart(process.pid) ?? 0;
  const record: RestoreRecord = {
    owner: { pid: process.pid, start },
    host: host.name,
    hostKind: host.kind,
    at: new Date().toISOString(),
    changes: plan.writes,
  };
  const changed: TuningChange[] = [];
  const notChanged = [...plan.notChanged];
  if (plan.writes.length > 0) {
    await writeRestoreRecord(stateDir, record);
    if (host.kind === 'local') trackLocal(record, stateDir);
    for (const w of plan.writes) {
      const refused = await writeSetting(host, w.path, w.applied);
      if (refused === undefined) changed.push(w);
      else if (!notChanged.some((n) => n.setting === w.setting))
        notChanged.push({ setting: w.setting as ProfileKey, why: `writing ${w.path} refused: ${refused}` });
    }
    record.changes = changed;
    if (changed.length > 0) await writeRestoreRecord(stateDir, record);
    else untrack(record, stateDir);
  }
  let restored = false;
  return {
    host: host.name,
    changed,
    notChanged,
    restore: async () => {
      if (restored || changed.length === 0) return [];
      restored = true;
      const problems = await restoreChanges(host, record);
      if (problems.length === 0) untrack(record, stateDir);
      return problems;
    },
  };
}

/** Writes back the previous value of every change of a record (last change first); what could not be written. */
export async function restoreChanges(host: Host, record: RestoreRecord): Promise<string[]> {
  const problems: string[] = [];
  for (const c of [...record.changes].reverse()) {
    const refused = await writeSetting(host, c.path, c.previous);
    if (refused !== undefined) problems.push(`${record.host}: could not write ${c.previous} back to ${c.path}: ${refused}`);
  }
  return problems;
}

function trackLocal(record: RestoreRecord, stateDir: string): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', restoreLocalSync);
  }
  pendingLocal.set(`${stateDir}\u0000${record.host}`, { record, stateDir });
}

function untrack(record: RestoreRecord, stateDir: string): void {
  pendingLocal.delete(`${stateDir}\u0000${record.host}`);
  removeRestoreRecord(stateDir, record);
}

/**
 * Puts back every local change not restored yet, synchronously (a second Ctrl-C, an uncaught
 * exception: process.exit() runs no promises). Never throws; a value it cannot write stays in
 * its restore record for `hvbench clean`.
 */
export function restoreLocalSync(): void {
  for (const { record, stateDir } of pendingLocal.values()) {
    let ok = true;
    for (const c of [...record.changes].reverse()) {
      try {
        writeFileSync(c.path, `${c.previous}\n`);
      } catch {
        ok = false;
      }
    }
    if (ok) removeRestoreRecord(stateDir, record);
  }
  pendingLocal.clear();
}
