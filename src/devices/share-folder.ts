import { rmSync } from 'node:fs';
import { posix } from 'node:path';
import { EXIT_NOT_FOUND } from '../hosts/exec-result.ts';
import type { Host } from '../hosts/host.ts';
import { execSetup } from '../hosts/remote-retry.ts';
import { HvbError } from '../util/errors.ts';

/** Local share folders not yet removed; removed synchronously if the process exits first. */
const live = new Set<string>();
let exitHookInstalled = false;
const FORMAT_TIMEOUT_MS = 300_000;

function track(path: string): void {
  live.add(path);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) rmSync(p, { recursive: true, force: true });
  });
}

export interface ShareFolder {
  path: string;
  /** Removes the folder and everything the guest wrote into it; safe to call more than once. */
  remove(): Promise<void>;
}

/**
 * Makes the empty folder a case shares with its guest (virtiofs, 9p, or native's own file
 * work), `<dir>/<name>.share`, mode 0700, in the run's scratch folder on the host that runs
 * the VMM: the same place as a case's scratch disk, so the file work lands on the same host
 * file system as the block reference. Removed after the case, and on exit if hvbench ends first.
 */
export async function createShareFolder(host: Host, dir: string, name: string): Promise<ShareFolder> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new HvbError('invalid-argument', `share folder name "${name}" must be letters, digits, ".", "_" or "-"`);
  const path = posix.join(dir, `${name}.share`);
  if (host.kind === 'local') track(path);
  const made = await execSetup(host, ['mkdir', '-p', '-m', '700', path]);
  if (made.exitCode !== 0) {
    live.delete(path);
    throw new HvbError('scratch-disk', `cannot create the share folder ${path}: ${made.stderr.trim() || `exit code ${made.exitCode}`}`);
  }
  let removed = false;
  return {
    path,
    async remove() {
      if (removed) return;
      removed = true;
      await host.removeTree(path);
      live.delete(path);
    },
  };
}

/**
 * Makes an ext4 file system on a scratch disk file, on its host (`mkfs.ext4` of e2fsprogs):
 * the reference of the shared-filesystem workload is the guest's own ext4 on a block device,
 * which the guest's busybox cannot make (its mke2fs writes ext2, without journal or extents).
 * `nodiscard`: on a file mke2fs would punch holes into the fully written disk; the inode
 * tables and the journal are written now, not lazily by the guest's kernel while fio runs.
 */
export async function formatExt4(host: Host, path: string): Promise<void> {
  const argv = ['mkfs.ext4', '-q', '-F', '-E', 'nodiscard,lazy_itable_init=0,lazy_journal_init=0', path];
  const run = await execSetup(host, argv, { timeoutMs: FORMAT_TIMEOUT_MS });
  if (run.exitCode === 0) return;
  throw new HvbError('scratch-disk', `cannot make an ext4 file system on ${path}: ${(run.stderr || run.stdout).trim() || `exit code ${run.exitCode}`}`, {
    hint: run.exitCode === EXIT_NOT_FOUND ? `install e2fsprogs on ${host.name} (mkfs.ext4)` : 'check the scratch disk and its folder',
  });
}
