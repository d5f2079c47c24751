import { rmSync } from 'node:fs';
import { posix } from 'node:path';
import type { Host } from '../hosts/host.ts';
import { HvbError } from '../util/errors.ts';

/** Scratch files not yet removed; removed synchronously if the process exits first. */
const live = new Set<string>();
let exitHookInstalled = false;

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
  /** Removes the file; safe to call more than once. */
  remove(): Promise<void>;
}

/**
 * Creates a raw scratch disk of `sizeMiB` in `dir` on `host`, fully written with zeros
 * (`qemu-img create -o preallocation=full`): a sparse or merely fallocated file would let
 * reads of untouched blocks return zeros without touching the host's disk. The folder must
 * not be on tmpfs: QEMU opens disks with O_DIRECT (cache=none).
 */
export async function createScratchDisk(host: Host, dir: string, name: string, sizeMiB: number): Promise<ScratchDisk> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new HvbError('invalid-argument', `scratch disk name "${name}" must be letters, digits, ".", "_" or "-"`);
  if (!Number.isInteger(sizeMiB) || sizeMiB < 1) throw new HvbError('invalid-argument', `scratch disk size must be a whole number of MiB, got ${sizeMiB}`);
  const mk = await host.exec(['mkdir', '-p', dir]);
  if (mk.exitCode !== 0) throw new HvbError('scratch-disk', `cannot create the scratch folder ${dir}: ${mk.stderr.trim()}`);
  const path = posix.join(dir, `${name}.raw`);
  track(path);
  const made = await host.exec(['qemu-img', 'create', '-q', '-f', 'raw', '-o', 'preallocation=full', path, `${sizeMiB}M`], { timeoutMs: 600_000 });
  if (made.exitCode !== 0) {
    await host.removeTree(path).catch(() => {});
    live.delete(path);
    throw new HvbError('scratch-disk', `cannot create the ${sizeMiB} MiB scratch disk ${path}: ${(made.stderr || made.stdout).trim()}`, {
      hint: made.exitCode === 127 ? 'install qemu-img (Debian: apt-get install qemu-utils)' : 'check the free space of the results folder',
    });
  }
  let removed = false;
  return {
    path,
    sizeMiB,
    async remove() {
      if (removed) return;
      removed = true;
      await host.removeTree(path);
      live.delete(path);
    },
  };
}
