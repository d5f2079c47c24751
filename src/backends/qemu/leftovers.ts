import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { ownerAlive, type Owner } from '../../network/netns-owner.ts';
import { killQuietly, processStart } from '../../util/proc.ts';
import { processAlive } from '../../results/store.ts';
import { describeError } from '../../util/errors.ts';
import { myUid, notMine, type SkippedLeftover } from '../../util/not-mine.ts';
import type { BackendLeftover, LeftoverFinder } from '../common/backend.ts';
import { ownerInEnviron } from '../common/owner.ts';
import { VIRTIOFSD_SOCKET } from './virtiofsd.ts';

/**
 * What a killed hvbench leaves of its QEMU guests on this machine (tcg and kvm share it):
 *
 * - QEMU processes: a QEMU counts only when it carries the owner mark (common/owner.ts), its
 *   working folder is one of hvbench's VM folders (`<tmp>/hvbench-<name>-XXXXXX`, holding only
 *   `qmp.sock`, `qemu.pid` and a virtiofs share's `virtiofsd.sock`, as qemu/vm.ts makes them)
 *   and the process its mark names is gone. The virtiofsd of a virtiofs share works in its
 *   VM's folder too and is found the same way. A QEMU without the mark, or anywhere else (a lab's daemonized QEMU runs in `/`), is
 *   never touched.
 * - VM folders: such a folder no process works in, whose QEMU is gone (its pid file names no
 *   live QEMU) and that has not changed for a minute.
 *
 * Another user's process or folder is skipped with the reason, and so is a link where a VM
 * folder should be. The other backends declare no finder: Xen's guests run in dom0, on
 * another machine, and its probe reports `hvb-` domains left there; native starts no VMM.
 */

/** A VM folder must be this old before it counts as left behind without a QEMU of ours in it. */
const DIR_MIN_AGE_MS = 60_000;
const VM_DIR_FILES = new Set(['qmp.sock', 'qemu.pid', VIRTIOFSD_SOCKET]);
/** The processes hvbench starts in a VM folder: QEMU, and the virtiofsd of a virtiofs share. */
const VM_PROCESSES = ['qemu-system', 'virtiofsd'];

/** A QEMU process whose hvbench is gone. */
export interface OrphanVm {
  pid: number;
  /** Its start time: the pid is killed only while it still names this process. */
  start: number;
  dir: string;
  owner: Owner;
  /** What it is, when not QEMU: `virtiofsd`. */
  program?: string;
}

/** The uid owning process `pid`, or undefined when it is gone. */
function processUid(pid: number): number | undefined {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return undefined;
  }
}

/** Whether `dir` is hvbench's VM folder: `<tmp>/hvbench-…` with only QEMU's socket and pid file in it. */
function isVmDir(dir: string, tmp: string): boolean {
  if (path.dirname(dir) !== tmp || !path.basename(dir).startsWith('hvbench-')) return false;
  try {
    const entries = readdirSync(dir);
    return entries.length > 0 && entries.every((e) => VM_DIR_FILES.has(e));
  } catch {
    return false;
  }
}

function procText(pid: number, file: string): string | undefined {
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

/** A killed QEMU may take a moment to go; its folder is removed after that. */
async function waitNoProcessIn(dir: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (![...workingDirs().values()].includes(dir)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An orphan QEMU as a leftover: killed only if, looked at again, it is still the same process, still orphaned and still ours. */
export function orphanQemu(vm: OrphanVm): BackendLeftover {
  return {
    kind: 'qemu-process',
    what: `${vm.program ?? 'QEMU'} process ${vm.pid} in ${vm.dir} (its hvbench, process ${vm.owner.pid}, is gone)`,
    facts: { pid: vm.pid, dir: vm.dir, ownerPid: vm.owner.pid },
    async remove() {
      if (processStart(vm.pid) !== vm.start || ownerAlive(vm.owner) || processUid(vm.pid) !== myUid()) return {};
      killQuietly(vm.pid);
      return { removed: `${vm.program ?? 'QEMU'} process ${vm.pid} in ${vm.dir}` };
    },
  };
}

/** A VM folder as a leftover: removed once no process works in it (its QEMU, just killed, may take a moment). */
export function vmFolder(dir: string): BackendLeftover {
  return {
    kind: 'vm-folder',
    what: `VM folder ${dir}`,
    facts: { path: dir },
    async remove() {
      await waitNoProcessIn(dir);
      return rm(dir, { recursive: true, force: true }).then(
        () => ({ removed: `VM folder ${dir}` }),
        (e: unknown) => ({ problem: `${dir}: ${describeError(e)}` }),
      );
    },
  };
}

/** Orphan QEMU processes working in VM folders of `tmp`. */
function orphanVms(cwds: ReadonlyMap<number, string>, tmp: string, skipped: SkippedLeftover[]): OrphanVm[] {
  const vms: OrphanVm[] = [];
  for (const [pid, cwd] of cwds) {
    const comm = procText(pid, 'comm') ?? '';
    if (!VM_PROCESSES.some((p) => comm.startsWith(p)) || !isVmDir(cwd, tmp)) continue;
    const owner = ownerInEnviron(procText(pid, 'environ') ?? '');
    const start = processStart(pid);
    if (!owner || start === undefined || ownerAlive(owner)) continue;
    const uid = processUid(pid);
    const why = uid === undefined ? 'it is gone' : notMine(uid);
    if (why) {
      skipped.push({ what: `${comm.startsWith('virtiofsd') ? 'virtiofsd' : 'QEMU'} process ${pid} in ${cwd}`, why });
      continue;
    }
    vms.push({ pid, start, dir: cwd, owner, ...(comm.startsWith('virtiofsd') ? { program: 'virtiofsd' } : {}) });
  }
  return vms;
}

/** VM folders of `tmp` left behind: those of the orphans, and those no QEMU works in any more. */
async function vmFolders(cwds: ReadonlyMap<number, string>, vms: readonly OrphanVm[], tmp: string, now: number, skipped: SkippedLeftover[]): Promise<string[]> {
  const dirs: string[] = [];
  const used = new Set(cwds.values());
  for (const name of await readdir(tmp).catch(() => [] as string[])) {
    const dir = path.join(tmp, name);
    if (!isVmDir(dir, tmp)) continue;
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
      dirs.push(dir);
      continue;
    }
    if (used.has(dir)) continue;
    const pid = Number((await readFile(path.join(dir, 'qemu.pid'), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid) && cwds.get(pid) === dir) continue;
    if (now - info.mtimeMs >= DIR_MIN_AGE_MS) dirs.push(dir);
  }
  return dirs;
}

/** The finder tcg and kvm declare (`leftovers: qemuLeftovers`); changes nothing until remove() is called. */
export const qemuLeftovers: LeftoverFinder = {
  async find({ tmpDir, now = Date.now() }) {
    const skipped: SkippedLeftover[] = [];
    const cwds = workingDirs();
    const vms = orphanVms(cwds, tmpDir, skipped);
    const dirs = await vmFolders(cwds, vms, tmpDir, now, skipped);
    // Processes first: a folder is removed after the QEMU working in it is killed.
    return { found: [...vms.map(orphanQemu), ...dirs.map(vmFolder)], skipped };
  },
};
