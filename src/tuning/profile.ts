import { SETTING_LABELS } from '../results/run-record.ts';
import type { ProfileTree } from './read-script.ts';

/**
 * A host's stabilisation profile: the settings that move benchmark figures without being
 * part of what is measured (frequency governor, turbo, SMT, transparent huge pages, idle
 * states, irqbalance, swap, NUMA). Each is read, never guessed: a setting this host does
 * not expose is `unavailable` with the reason (a virtual machine has no cpufreq).
 */

/** One setting: its value (and what it was read from), or why it cannot be read here. */
export type Reading = { value: string; detail?: string } | { unavailable: string };

export const PROFILE_KEYS = ['governor', 'turbo', 'smt', 'thp', 'thpDefrag', 'cpuidle', 'maxCstate', 'irqbalance', 'swap', 'swappiness', 'numa'] as const;
export type ProfileKey = (typeof PROFILE_KEYS)[number];

/** What each setting is called in doctor's output, run.json's readers and the report. */
export const PROFILE_LABELS: Record<ProfileKey, string> = SETTING_LABELS;

export type HostProfile = Record<ProfileKey, Reading>;

const CPU = '/sys/devices/system/cpu';
const THP = '/sys/kernel/mm/transparent_hugepage';

export function isAvailable(r: Reading): r is { value: string; detail?: string } {
  return 'value' in r;
}

/** The value of a reading, or undefined when it is unavailable. */
export function readingValue(r: Reading): string | undefined {
  return 'value' in r ? r.value : undefined;
}

/** The profile of a host from the files READ_SCRIPT found there. */
export function profileFromTree(tree: ProfileTree): HostProfile {
  const vm = /\bhypervisor\b/.test(tree.get('/proc/cpuinfo:flags') ?? '');
  return {
    governor: governorOf(tree, vm),
    turbo: turboOf(tree, vm),
    smt: smtOf(tree),
    thp: bracketed(tree, `${THP}/enabled`, 'no transparent huge pages (kernel built without them)'),
    thpDefrag: bracketed(tree, `${THP}/defrag`, 'no transparent huge pages (kernel built without them)'),
    cpuidle: cpuidleOf(tree),
    maxCstate: maxCstateOf(tree),
    irqbalance: irqbalanceOf(tree),
    ...swapOf(tree),
    numa: numaOf(tree),
  };
}

/** The CPUs whose governor files exist, `cpu<N>` → governor, in CPU order. */
export function governorsOf(tree: ProfileTree): [number, string][] {
  const out: [number, string][] = [];
  for (const [path, text] of tree) {
    const m = /^\/sys\/devices\/system\/cpu\/cpu(\d+)\/cpufreq\/scaling_governor$/.exec(path);
    if (m) out.push([Number(m[1]), text]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

function noCpufreq(vm: boolean): string {
  return vm
    ? 'no cpufreq: this host is a virtual machine, its CPU frequency is the hypervisor host’s to set'
    : `no cpufreq: ${CPU}/cpu*/cpufreq is absent (no frequency scaling driver loaded)`;
}

function governorOf(tree: ProfileTree, vm: boolean): Reading {
  const governors = governorsOf(tree);
  if (governors.length === 0) return { unavailable: noCpufreq(vm) };
  const driver = tree.get(`${CPU}/cpu0/cpufreq/scaling_driver`);
  const byGovernor = new Map<string, number[]>();
  for (const [cpu, g] of governors) (byGovernor.get(g) ?? byGovernor.set(g, []).get(g)!).push(cpu);
  const via = driver ? `driver ${driver}, ` : '';
  if (byGovernor.size === 1) return { value: governors[0]![1], detail: `${via}the same on all ${governors.length} CPUs` };
  const parts = [...byGovernor].map(([g, cpus]) => `${g} on ${cpuList(cpus)}`);
  return { value: `mixed: ${parts.join(', ')}`, detail: `${via}the CPUs disagree` };
}

function turboOf(tree: ProfileTree, vm: boolean): Reading {
  const noTurbo = tree.get(`${CPU}/intel_pstate/no_turbo`);
  if (noTurbo === '0' || noTurbo === '1') return { value: noTurbo === '1' ? 'off' : 'on', detail: `intel_pstate/no_turbo = ${noTurbo}` };
  const boost = tree.get(`${CPU}/cpufreq/boost`);
  if (boost === '0' || boost === '1') return { value: boost === '1' ? 'on' : 'off', detail: `cpufreq/boost = ${boost}` };
  if (governorsOf(tree).length === 0) return { unavailable: noCpufreq(vm) };
  return { unavailable: 'neither intel_pstate/no_turbo nor cpufreq/boost: this frequency driver offers no turbo switch' };
}

function smtOf(tree: ProfileTree): Reading {
  const control = tree.get(`${CPU}/smt/control`);
  if (control === undefined) return { unavailable: `no ${CPU}/smt/control (kernel older than 4.19, or built without SMT control)` };
  const active = tree.get(`${CPU}/smt/active`);
  return { value: control, detail: active === undefined ? 'control' : `control; active ${active === '1' ? 'yes' : 'no'}` };
}

/** The value in brackets of a sysfs choice file (`always [madvise] never` → `madvise`). */
export function bracketedChoice(text: string): string | undefined {
  return /\[([^\]]+)\]/.exec(text)?.[1];
}

function bracketed(tree: ProfileTree, path: string, missing: string): Reading {
  const text = tree.get(path);
  if (text === undefined) return { unavailable: missing };
  const v = bracketedChoice(text);
  return v === undefined ? { unavailable: `${path} says "${text}", not a choice in brackets` } : { value: v, detail: text };
}

function cpuidleOf(tree: ProfileTree): Reading {
  const driver = tree.get(`${CPU}/cpuidle/current_driver`);
  if (driver === undefined || driver === '' || driver === 'none') return { unavailable: 'no cpuidle driver (idle is the plain halt loop)' };
  const governor = tree.get(`${CPU}/cpuidle/current_governor_ro`);
  return { value: driver, detail: governor ? `governor ${governor}` : 'governor not readable' };
}

function maxCstateOf(tree: ProfileTree): Reading {
  const v = tree.get('/sys/module/intel_idle/parameters/max_cstate');
  if (v === undefined) return { unavailable: 'intel_idle is not loaded (another cpuidle driver, or an AMD CPU)' };
  const driver = tree.get(`${CPU}/cpuidle/current_driver`);
  return {
    value: v,
    detail: driver === 'intel_idle' ? 'intel_idle is the cpuidle driver' : `intel_idle is built in but not in use (cpuidle driver ${driver ?? 'none'})`,
  };
}

function irqbalanceOf(tree: ProfileTree): Reading {
  const pids: number[] = [];
  for (const [path, text] of tree) {
    const m = /^\/proc\/(\d+)\/comm$/.exec(path);
    if (m && text === 'irqbalance') pids.push(Number(m[1]));
  }
  if (!tree.has('/proc/meminfo')) return { unavailable: '/proc is not readable' };
  return pids.length > 0 ? { value: 'running', detail: `pid ${pids.sort((a, b) => a - b).join(', ')}` } : { value: 'not running' };
}

/** A `Name: N kB` line of /proc/meminfo, in KiB. */
export function meminfoKiB(meminfo: string, name: string): number | undefined {
  const m = new RegExp(`^${name.replace(/[()]/g, '\\$&')}:\\s+(\\d+) kB$`, 'm').exec(meminfo);
  return m ? Number(m[1]) : undefined;
}

function swapOf(tree: ProfileTree): { swap: Reading; swappiness: Reading } {
  const meminfo = tree.get('/proc/meminfo');
  const total = meminfo === undefined ? undefined : meminfoKiB(meminfo, 'SwapTotal');
  const free = meminfo === undefined ? undefined : meminfoKiB(meminfo, 'SwapFree');
  let swap: Reading;
  if (total === undefined || free === undefined) swap = { unavailable: '/proc/meminfo has no SwapTotal and SwapFree' };
  else if (total === 0) swap = { value: 'none', detail: 'no swap configured' };
  else {
    const used = total - free;
    swap = { value: used > 0 ? 'in use' : 'unused', detail: `${mib(used)} MiB used of ${mib(total)} MiB` };
  }
  const s = tree.get('/proc/sys/vm/swappiness');
  return { swap, swappiness: s === undefined ? { unavailable: '/proc/sys/vm/swappiness is not readable' } : { value: s } };
}

function numaOf(tree: ProfileTree): Reading {
  const nodes: [number, string][] = [];
  for (const [path, text] of tree) {
    const m = /^\/sys\/devices\/system\/node\/node(\d+)\/cpulist$/.exec(path);
    if (m) nodes.push([Number(m[1]), text]);
  }
  if (nodes.length === 0) return { unavailable: 'no /sys/devices/system/node (kernel built without NUMA)' };
  nodes.sort((a, b) => a[0] - b[0]);
  return {
    value: `${nodes.length} node${nodes.length === 1 ? '' : 's'}`,
    detail: nodes.map(([n, cpus]) => `node${n}: CPUs ${cpus || 'none'}`).join('; '),
  };
}

function mib(kib: number): number {
  return Math.round(kib / 1024);
}

/** `0-3,6`-style list of CPU numbers, for a line a person reads. */
export function cpuList(cpus: readonly number[]): string {
  const sorted = [...cpus].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `cpu${sorted[i]}` : `cpu${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
