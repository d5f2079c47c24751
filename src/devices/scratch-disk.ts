import { rmSync } from 'node:fs';
import { posix } from 'node:path';
import { EXIT_NOT_FOUND } from '../hosts/exec-result.ts';
import type { ExecResult, Host } from '../hosts/host.ts';
import { execSetup } from '../hosts/remote-retry.ts';
import { scratchFolder } from './scratch-folder.ts';
import { HvbError } from '../util/errors.ts';

/** Local scratch files not yet removed; removed synchronously if the process exits first. */
const live = new Set<string>();
let exitHookInstalled = false;
/** Writing a large disk on a slow (nested) host takes a while. */
const WRITE_TIMEOUT_MS = 600_000;

function track(path: string): void {
  live.add(path);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) rmSync(p, { force: true });
  });
}

export interface ScratchDisk {
  path: string;
  sizeMiB: number;
  /**
   * Whether the folder of the disk takes O_DIRECT opens (QEMU's cache=none needs them);
   * undefined on the local host, where the run's own scratch folder is used as it is.
   */
  directIo?: boolean;
  /** Removes the file; safe to call more than once. */
  remove(): Promise<void>;
}

/**
 * Creates a raw scratch disk of `sizeMiB` in `dir` on `host`, fully written with zeros: a
 * sparse or merely fallocated file would let reads of untouched blocks return zeros without
 * touching the host's disk. `qemu-img create -o preallocation=full` writes it; a host
 * without qemu-img (a Xen dom0 needs none) gets the same bytes from
 * `dd if=/dev/zero conv=fsync`.
 *
 * QEMU opens disks with O_DIRECT (cache=none), which tmpfs refuses. On a remote host `dir` is
 * checked once for it (scratch-folder.ts); when it cannot, the disk goes into a private folder
 * of its own under the first candidate folder that can (`/var/tmp`, the user's home), removed
 * with the disk. A host with no such folder keeps the disk in `dir`, with `directIo: false`
 * (a Xen dom0 in memory needs none: blkback reads the file through a loop device). Setup
 * commands lost to an ssh transport failure are run once more (remote-retry.ts).
 */
export async function createScratchDisk(host: Host, dir: string, name: string, sizeMiB: number): Promise<ScratchDisk> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new HvbError('invalid-argument', `scratch disk name "${name}" must be letters, digits, ".", "_" or "-"`);
  if (!Number.isInteger(sizeMiB) || sizeMiB < 1) throw new HvbError('invalid-argument', `scratch disk size must be a whole number of MiB, got ${sizeMiB}`);
  const mk = await execSetup(host, ['mkdir', '-p', dir]);
  if (mk.exitCode !== 0) throw new HvbError('scratch-disk', `cannot create the scratch folder ${dir}: ${mk.stderr.trim()}`);
  const where = host.kind === 'local' ? undefined : await scratchFolder(host, dir);
  const folder = where?.privateFolder ?? dir;
  const path = posix.join(folder, `${name}.raw`);
  // The exit hook can only reach this machine's files; a remote host's go with its temporary folder.
  if (host.kind === 'local') track(path);
  const removeAll = async () => {
    await host.removeTree(where?.privateFolder ?? path);
    live.delete(path);
  };
  const made = await writeZeros(host, path, sizeMiB);
  if (made.exitCode !== 0) {
    await removeAll().catch(() => {});
    throw new HvbError('scratch-disk', `cannot create the ${sizeMiB} MiB scratch disk ${path} with ${made.tool}: ${(made.stderr || made.stdout).trim()}`, {
      hint:
        made.exitCode === EXIT_NOT_FOUND
          ? 'install qemu-img (Debian: apt-get install qemu-utils) or dd (coreutils or busybox)'
          : 'check the free space of the scratch folder',
    });
  }
  let removed = false;
  return {
    path,
    sizeMiB,
    ...(where ? { directIo: where.directIo } : {}),
    async remove() {
      if (removed) return;
      removed = true;
      await removeAll();
    },
  };
}

/** A fully written raw file: qemu-img when the host has it, else dd from /dev/zero, synced. */
async function writeZeros(host: Host, path: string, sizeMiB: number): Promise<ExecResult & { tool: string }> {
  const qemuImg = await execSetup(host, ['qemu-img', 'create', '-q', '-f', 'raw', '-o', 'preallocation=full', path, `${sizeMiB}M`], {
    timeoutMs: WRITE_TIMEOUT_MS,
  });
  if (qemuImg.exitCode !== EXIT_NOT_FOUND) return { ...qemuImg, tool: 'qemu-img' };
  const dd = await execSetup(host, ['dd', 'if=/dev/zero', `of=${path}`, 'bs=1M', `count=${sizeMiB}`, 'conv=fsync'], { timeoutMs: WRITE_TIMEOUT_MS });
  return { ...dd, tool: 'dd (the host has no qemu-img)' };
}
