import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { lstat, readdir, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Host } from '../hosts/host.ts';
import { defaultCacheDir } from '../guest/cache.ts';
import { LocalHost } from '../hosts/local.ts';
import { cleanLeftovers, findLeftovers, type Leftover } from '../network/netns-leftovers.ts';
import { listNetns } from '../network/netns.ts';
import { killQuietly, ownerAlive, processStart, selfOwner, type Owner } from '../network/netns-owner.ts';
import { defaultStateDir, readNetworkStates } from '../network/peer-state.ts';
import { SCRATCH_DIR } from '../runner/run-suite.ts';
import { finishRun, openRun, processAlive, RUN_FILE } from '../results/store.ts';
import { describeError } from '../util/errors.ts';

/**
 * What hvbench processes killed without a chance to clean up (SIGKILL, a power cut) leave
 * behind on this machine, and how to remove it. Nothing is touched unless its owner is
 * provably gone:
 *
 * - QEMU processes: hvbench exports `HVBENCH_OWNER=<pid>-<start time>` (see `markOwner`),
 *   which every VMM it starts inherits; a QEMU counts only when its working folder is one of
 *   hvbench's VM folders (`<tmp>/hvbench-<name>-XXXXXX`, holding only `qmp.sock` and
 *   `qemu.pid`) and the process named by its marker is gone. A QEMU without the marker, or
 *   anywhere else (a lab's daemonized QEMU runs in `/`), is never touched.
 * - VM folders: such a folder no process works in, whose QEMU is gone (its pid file names no
 *   live QEMU) and that has not changed for a minute.
 * - Networks: namespaces and peers of owners that are gone (netns-leftovers.ts).
 * - Runs: run folders whose run.json says `running` but whose writer on this host is gone;
 *   their scratch disks are removed and the run is marked `interrupted`.
 * - Cache temporaries: what a build or download cut short leaves in the cache (a package,
 *   an image, a lab image, an initrd is written under a `.tmp-…` name, then renamed), once
 *   it is an hour old: no build of hvbench takes that long, and the name has no owner.
 *
 * Each of these must carry hvbench's mark (the owner variable, the VM folder's name and
 * contents, run.json's writer, the `.tmp-` name) and belong to the user running hvbench:
 * what carries the mark but belongs to another user, and a symbolic link where a run
 * folder or its scratch folder should be, are listed in `skipped` with the reason, and
 * never touched. Links are never followed out of the results folder.
 */

export const OWNER_ENV = 'HVBENCH_OWNER';
/** A VM folder must be this old before it counts as left behind without a QEMU of ours in it. */
const DIR_MIN_AGE_MS = 60_000;
const VM_DIR_FILES = new Set(['qmp.sock', 'qemu.pid']);
/** A cache temporary must be this old before it counts as left behind. */
const CACHE_TEMP_MIN_AGE_MS = 60 * 60_000;
/** `.tmp-<…>` (a folder being built) or `<file>.tmp-<12 hex digits>` (a file being written). */
const CACHE_TEMP = /^\.tmp-|\.tmp-[0-9a-f]{12}$/;
/** How deep below the cache folder temporaries are looked for (e.g. `labs/images/.tmp-…` is at 3). */
const CACHE_TEMP_DEPTH = 3;

/** Marks this process as the owner of every VMM it starts (inherited through the environment). */
export function markOwner(): void {
  const me = selfOwner();
  process.env[OWNER_ENV] = `${me.pid}-${me.start}`;
}

export interface OrphanVm {
  pid: number;
  start: number;
  dir: string;
  owner: Owner;
}

export interface CrashedRun {
  dir: string;
  id: string;
  writerPid: number;
  /** The scratch folder, when there is one. */
  scratch: string | undefined;
}

/** Something that looks like hvbench's but is left alone, and why. */
export interface SkippedLeftover {
  what: string;
  why: string;
}

export interface LeftoverReport {
  vms: OrphanVm[];
  vmDirs: string[];
  networks: Leftover[];
  runs: CrashedRun[];
  cacheTemps: string[];
  /** Left alone: another user's, or a link (absent: nothing skipped). */
  skipped?: SkippedLeftover[];
}

/** The user running hvbench (undefined where the platform has no uids). */
const myUid = (): number | undefined => process.getuid?.();

/** Why a file of uid `uid` is not ours to remove, or undefined when it is. */
function notMine(uid: number): string | undefined {
  const me = myUid();
  return me === undefined || uid === me ? undefined : `belongs to user ${uid}, not to the user running hvbench (${me})`;
}

/** The uid owning process `pid`, or undefined when it is gone. */
function processUid(pid: number): number | undefined {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return undefined;
  }
}

export interface FindOptions {
  resultsDir: string;
  /** Default: defaultCacheDir(). */
  cacheDir?: string;
  tmpDir?: string;
  host?: Host;
  stateDir?: string;
}

function parseOwner(text: string | undefined): Owner | undefined {
  const m = /^(\d{1,10})-(\d{1,20})$/.exec(text ?? '');
  return m ? { pid: Number(m[1]), start: Number(m[2]) } : undefined;
}

/** hvbench's VM folder (`<tmp>/hvbench-…`, only QEMU's socket and pid file in it), or undefined. */
function vmDir(dir: string, tmp: string): boolean {
  if (path.dirname(dir) !== tmp || !path.basename(dir).startsWith('hvbench-')) return false;
  try {
    const entries = readdirSync(dir);
    return entries.length > 0 && entries.every((e) => VM_DIR_FILES.has(e));
  } catch {
    return false;
  }
}

function procText(pid: string, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Every live process's working folder (those this user may read). */
function workingDirs(): Map<number, string> {
  const found = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      found.set(Number(entry), readlinkSync(`/proc/${entry}/cwd`));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Finds everything listed above; changes nothing. */
export async function findAllLeftovers(o: FindOptions): Promise<LeftoverReport> {
  const tmp = o.tmpDir ?? os.tmpdir();
  const cwds = workingDirs();
  const skipped: SkippedLeftover[] = [];
  const vms: OrphanVm[] = [];
  for (const [pid, cwd] of cwds) {
    if (!(procText(String(pid), 'comm') ?? '').startsWith('qemu-system') || !vmDir(cwd, tmp)) continue;
    const env = (procText(String(pid), 'environ') ?? '').split('\0');
    const owner = parseOwner(env.find((e) => e.startsWith(`${OWNER_ENV}=`))?.slice(OWNER_ENV.length + 1));
    const start = processStart(pid);
    if (!owner || start === undefined || ownerAlive(owner)) continue;
    const uid = processUid(pid);
    const why = uid === undefined ? 'it is gone' : notMine(uid);
    if (why) {
      skipped.push({ what: `QEMU process ${pid} in ${cwd}`, why });
      continue;
    }
    vms.push({ pid, start, dir: cwd, owner });
  }
  const vmDirs: string[] = [];
  const used = new Set(cwds.values());
  for (const name of await readdir(tmp).catch(() => [] as string[])) {
    const dir = path.join(tmp, name);
    if (!vmDir(dir, tmp)) continue;
    const info = lstatSync(dir, { throwIfNoEntry: false });
    if (!info) continue;
    if (info.isSymbolicLink()) {
      skipped.push({ what: `VM folder ${dir}`, why: 'it is a symbolic link, not a folder hvbench made' });
      continue;
    }
    const foreign = notMine(info.uid);
    if (foreign) {
      skipped.push({ what: `VM folder ${dir}`, why: foreign });
      continue;
    }
    if (vms.some((v) => v.dir === dir)) {
      vmDirs.push(dir);
      continue;
    }
    if (used.has(dir)) continue;
    const pid = Number((await readFile(path.join(dir, 'qemu.pid'), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid) && cwds.get(pid) === dir) continue;
    const age = Date.now() - statSync(dir).mtimeMs;
    if (age >= DIR_MIN_AGE_MS) vmDirs.push(dir);
  }
  const host = o.host ?? new LocalHost();
  const networks = findLeftovers(await listNetns(host).catch(() => []), readNetworkStates(o.stateDir ?? defaultStateDir()).states, ownerAlive);
  const runs = await crashedRuns(o.resultsDir, skipped);
  const temps = await cacheTemps(o.cacheDir ?? defaultCacheDir(), Date.now(), skipped);
  return { vms, vmDirs, networks, runs, cacheTemps: temps, skipped };
}

/** Temporaries in the cache (CACHE_TEMP names) at least an hour old. */
export async function cacheTemps(cacheDir: string, now = Date.now(), skipped: SkippedLeftover[] = []): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (CACHE_TEMP.test(e.name)) {
        const info = lstatSync(full, { throwIfNoEntry: false });
        if (info === undefined || now - info.mtimeMs < CACHE_TEMP_MIN_AGE_MS) continue;
        const foreign = notMine(info.uid);
        if (foreign) skipped.push({ what: `unfinished cache entry ${full}`, why: foreign });
        else found.push(full);
      } else if (e.isDirectory() && depth < CACHE_TEMP_DEPTH) {
        await walk(full, depth + 1);
      }
    }
  };
  await walk(cacheDir, 1);
  return found.sort();
}

async function crashedRuns(resultsDir: string, skipped: SkippedLeftover[]): Promise<CrashedRun[]> {
  const runs: CrashedRun[] = [];
  for (const name of await readdir(resultsDir).catch(() => [] as string[])) {
    const dir = path.join(resultsDir, name);
    const info = await lstat(dir).catch(() => undefined);
    if (!info) continue;
    if (info.isSymbolicLink()) {
      // Never followed: what it points to is outside the results folder, and not this clean's to touch.
      if (await readFile(path.join(dir, RUN_FILE)).then(() => true, () => false)) {
        skipped.push({ what: `run ${dir}`, why: `it is a symbolic link (to ${await realpath(dir).catch(() => 'a missing folder')}); links are not followed out of ${resultsDir}` });
      }
      continue;
    }
    if (!info.isDirectory()) continue;
    const runFile = await lstat(path.join(dir, RUN_FILE)).catch(() => undefined);
    if (!runFile?.isFile()) continue;
    const text = await readFile(path.join(dir, RUN_FILE), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let record: { id?: unknown; status?: unknown; writer?: { hostname?: unknown; pid?: unknown } };
    try {
      record = JSON.parse(text);
    } catch {
      continue;
    }
    const pid = record.writer?.pid;
    if (record.status !== 'running' || record.writer?.hostname !== os.hostname() || typeof pid !== 'number' || processAlive(pid)) continue;
    const foreign = notMine(info.uid);
    if (foreign) {
      skipped.push({ what: `run ${dir}`, why: foreign });
      continue;
    }
    const scratch = path.join(dir, SCRATCH_DIR);
    const scratchInfo = await lstat(scratch).catch(() => undefined);
    if (scratchInfo && (scratchInfo.isSymbolicLink() || !scratchInfo.isDirectory())) {
      skipped.push({ what: `run ${dir}`, why: `its ${SCRATCH_DIR} is ${scratchInfo.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}, not the scratch folder hvbench makes; nothing is followed or removed` });
      continue;
    }
    const hasScratch = scratchInfo !== undefined;
    runs.push({ dir, id: String(record.id ?? name), writerPid: pid, scratch: hasScratch ? scratch : undefined });
  }
  return runs;
}

/**
 * One leftover as `doctor --json` reports it: its kind, the line `doctor` and `clean` print
 * (`what`), and the facts behind that line.
 */
export type LeftoverItem =
  | { kind: 'qemu-process'; what: string; pid: number; dir: string; ownerPid: number }
  | { kind: 'vm-folder'; what: string; path: string }
  | { kind: 'network'; what: string; name: string; netns: string | null; peerPids: number[]; ownerPid: number }
  | { kind: 'run'; what: string; path: string; id: string; writerPid: number; scratch: string | null }
  | { kind: 'cache-temp'; what: string; path: string };

/** Every leftover found, in the order `doctor` lists them. */
export function leftoverItems(r: LeftoverReport): LeftoverItem[] {
  return [
    ...r.vms.map((v): LeftoverItem => ({
      kind: 'qemu-process',
      what: `QEMU process ${v.pid} in ${v.dir} (its hvbench, process ${v.owner.pid}, is gone)`,
      pid: v.pid,
      dir: v.dir,
      ownerPid: v.owner.pid,
    })),
    ...r.vmDirs.map((d): LeftoverItem => ({ kind: 'vm-folder', what: `VM folder ${d}`, path: d })),
    ...r.networks.map((n): LeftoverItem => ({
      kind: 'network',
      what: `network ${n.name}${n.netns ? ` (namespace ${n.netns})` : ''}${n.peers.length ? `, ${n.peers.length} peer process(es)` : ''}`,
      name: n.name,
      netns: n.netns ?? null,
      peerPids: n.peers.map((p) => p.pid),
      ownerPid: n.owner.pid,
    })),
    ...r.runs.map((run): LeftoverItem => ({
      kind: 'run',
      what: `run ${run.dir} says "running" but its process ${run.writerPid} is gone${run.scratch ? `; scratch disks in ${run.scratch}` : ''}`,
      path: run.dir,
      id: run.id,
      writerPid: run.writerPid,
      scratch: run.scratch ?? null,
    })),
    ...r.cacheTemps.map((p): LeftoverItem => ({ kind: 'cache-temp', what: `unfinished cache entry ${p} (a build or download cut short)`, path: p })),
  ];
}

/** One line per leftover, for `doctor` and `clean`. */
export function describeLeftovers(r: LeftoverReport): string[] {
  return leftoverItems(r).map((item) => item.what);
}

/** One line per thing left alone, with the reason, for `clean`. */
export function describeSkipped(r: LeftoverReport): string[] {
  return (r.skipped ?? []).map((s) => `${s.what}: ${s.why}`);
}

/** Removes what findAllLeftovers found (checking each process again just before it is killed). */
export async function removeLeftovers(r: LeftoverReport, o: FindOptions): Promise<{ removed: string[]; problems: string[] }> {
  const removed: string[] = [];
  const problems: string[] = [];
  for (const vm of r.vms) {
    if (processStart(vm.pid) !== vm.start || ownerAlive(vm.owner) || processUid(vm.pid) !== myUid()) continue;
    killQuietly(vm.pid);
    removed.push(`QEMU process ${vm.pid} in ${vm.dir}`);
  }
  for (const dir of r.vmDirs) {
    await waitNoProcessIn(dir);
    await rm(dir, { recursive: true, force: true }).then(
      () => removed.push(`VM folder ${dir}`),
      (e: unknown) => problems.push(`${dir}: ${describeError(e)}`),
    );
  }
  if (r.networks.length > 0) {
    const report = await cleanLeftovers({ ...(o.host ? { host: o.host } : {}), ...(o.stateDir ? { stateDir: o.stateDir } : {}) });
    removed.push(...report.removed.map((n) => `network ${n.name}${n.netns ? ` (namespace ${n.netns})` : ''}`));
    problems.push(...report.problems);
  }
  for (const run of r.runs) {
    try {
      // Checked again just before: a folder swapped for a link since is not followed.
      const stored = await openRun(run.dir, { forWriting: true });
      if (run.scratch) {
        const info = await lstat(run.scratch).catch(() => undefined);
        if (info && (info.isSymbolicLink() || !info.isDirectory())) throw new Error(`${run.scratch} is no longer a folder; left alone`);
        await rm(run.scratch, { recursive: true, force: true });
        removed.push(`scratch disks ${run.scratch}`);
      }
      await finishRun(stored, 'interrupted', { message: `cut short: its process ${run.writerPid} was gone (found by hvbench clean)`, code: 'crashed' });
      removed.push(`run ${run.dir}: marked interrupted`);
    } catch (e) {
      problems.push(`${run.dir}: ${describeError(e)}`);
    }
  }
  for (const temp of r.cacheTemps) {
    await rm(temp, { recursive: true, force: true }).then(
      () => removed.push(`unfinished cache entry ${temp}`),
      (e: unknown) => problems.push(`${temp}: ${describeError(e)}`),
    );
  }
  return { removed, problems };
}

/** A killed QEMU may take a moment to go; its folder is removed after that. */
async function waitNoProcessIn(dir: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (![...workingDirs().values()].includes(dir)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
