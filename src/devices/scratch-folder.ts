import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Host } from '../hosts/host.ts';
import { execSetup } from '../hosts/remote-retry.ts';
import { HvbError } from '../util/errors.ts';
import { firstLine } from '../util/first-line.ts';

/**
 * Folders tried, in this order, when a remote host's scratch folder (its temporary folder)
 * refuses O_DIRECT: `/var/tmp` (on a disk where `/tmp` is tmpfs, on most systems), then the
 * ssh user's home folder.
 */
export const DIRECT_IO_CANDIDATES = ['/var/tmp', '$HOME'] as const;

export interface ScratchFolderChoice {
  /** Whether the disk's folder takes O_DIRECT opens (QEMU's cache=none). */
  directIo: boolean;
  /** A private folder made for this disk under a candidate; remove it with the disk. Absent: use the given folder. */
  privateFolder?: string;
}

/** Per host, per scratch folder: the folder found to take O_DIRECT (itself or a candidate), or null. */
const probed = new WeakMap<Pick<Host, 'exec'>, Map<string, Promise<string | null>>>();

/**
 * Where a scratch disk for `dir` goes on `host`: `dir` itself when it takes O_DIRECT, else a
 * private folder under the first candidate that does, else `dir` (with `directIo: false`).
 * The folders are probed once per host and folder, by writing one 4 KiB block with
 * `dd oflag=direct` (coreutils and busybox both have it) and removing it.
 */
export async function scratchFolder(host: Host, dir: string): Promise<ScratchFolderChoice> {
  let perHost = probed.get(host);
  if (!perHost) probed.set(host, (perHost = new Map()));
  let found = perHost.get(dir);
  if (!found) {
    found = findDirectIoFolder(host, dir);
    perHost.set(dir, found);
    // A probe that failed outright is tried again next time.
    found.catch(() => perHost.delete(dir));
  }
  const folder = await found;
  if (folder === null) return { directIo: false };
  if (folder === dir) return { directIo: true };
  const privateFolder = posix.join(folder, `hvbench-scratch-${randomBytes(6).toString('hex')}`);
  // -p: a retried mkdir finds its own folder made; the name is random, so never another's.
  const made = await execSetup(host, ['mkdir', '-p', '-m', '700', privateFolder]);
  if (made.exitCode !== 0)
    throw new HvbError('scratch-disk', `cannot create the scratch folder ${privateFolder}: ${made.stderr.trim() || `exit code ${made.exitCode}`}`);
  return { directIo: true, privateFolder };
}

async function findDirectIoFolder(host: Host, dir: string): Promise<string | null> {
  if (await takesDirectIo(host, dir)) return dir;
  for (const candidate of DIRECT_IO_CANDIDATES) {
    const folder = candidate === '$HOME' ? await homeFolder(host) : candidate;
    if (folder === undefined || folder === dir) continue;
    if (await takesDirectIo(host, folder)) return folder;
  }
  return null;
}

/** Whether a file in `folder` can be written with O_DIRECT (false also when the folder is missing or not writable). */
export async function takesDirectIo(host: Host, folder: string): Promise<boolean> {
  return (await probeFolder(host, folder, { plainWrite: false })).directIo;
}

/** What writing one block into a folder found. */
export interface FolderProbe {
  folder: string;
  directIo: boolean;
  /** False when not even a plain write works (a missing or read-only folder); checked only when O_DIRECT failed. */
  writable: boolean;
  /** What dd said when a write failed, its first line. */
  said?: string;
}

/**
 * Writes one 4 KiB block into `folder` with `dd oflag=direct` and removes it; when that fails
 * and `plainWrite` is set, once more without O_DIRECT, to tell a folder that refuses O_DIRECT
 * from one that cannot be written at all.
 */
export async function probeFolder(host: Host, folder: string, o: { plainWrite: boolean }): Promise<FolderProbe> {
  const probe = posix.join(folder, `.hvbench-odirect-${randomBytes(6).toString('hex')}`);
  const write = (direct: boolean) => execSetup(host, ['dd', 'if=/dev/zero', `of=${probe}`, 'bs=4096', 'count=1', ...(direct ? ['oflag=direct'] : [])]);
  try {
    const direct = await write(true);
    if (direct.exitCode === 0) return { folder, directIo: true, writable: true };
    const said = firstLine(direct.stderr) || `dd exit code ${direct.exitCode}`;
    if (!o.plainWrite) return { folder, directIo: false, writable: false, said };
    const plain = await write(false);
    return plain.exitCode === 0
      ? { folder, directIo: false, writable: true, said }
      : { folder, directIo: false, writable: false, said: firstLine(plain.stderr) || said };
  } finally {
    await execSetup(host, ['rm', '-f', '--', probe]);
  }
}

/** Where a remote host's scratch disks go, as the host inspection found it before any case runs. */
export interface ScratchCheck {
  /** The folder the run's own scratch folder is made in. */
  base: string;
  /** Whether `base` takes O_DIRECT (QEMU's cache=none and directsync need it). */
  directIo: boolean;
  /** Whether `base` can be written at all. */
  writable: boolean;
  /** `base` is the host's `scratchDir` (hosts file): no other folder is tried. */
  configured: boolean;
  /** Every folder probed, in order, with what was found. */
  tried: FolderProbe[];
}

/**
 * Checks where a remote host can keep scratch disks: its configured `scratchDir` alone, or
 * else its temporary folder (`$TMPDIR`, `/tmp`), then DIRECT_IO_CANDIDATES; the first that
 * takes O_DIRECT is used, and when none does, the temporary folder (enough for a Xen dom0,
 * whose blkback reads the file through a loop device). Cases whose disk needs O_DIRECT are
 * then skipped at planning with `describeScratch` as the reason, never failed at QEMU's start.
 */
export async function checkScratch(host: Host, configured?: string): Promise<ScratchCheck> {
  if (configured !== undefined) {
    const p = await probeFolder(host, configured, { plainWrite: true });
    return { base: configured, directIo: p.directIo, writable: p.writable, configured: true, tried: [p] };
  }
  const env = await hostEnv(host);
  const temp = env.TMPDIR?.startsWith('/') ? env.TMPDIR : '/tmp';
  const home = env.HOME?.startsWith('/') && env.HOME !== '/' ? env.HOME : undefined;
  const tried: FolderProbe[] = [await probeFolder(host, temp, { plainWrite: true })];
  for (const candidate of DIRECT_IO_CANDIDATES) {
    if (tried.some((t) => t.directIo)) break;
    const folder = candidate === '$HOME' ? home : candidate;
    if (folder === undefined || tried.some((t) => t.folder === folder)) continue;
    tried.push(await probeFolder(host, folder, { plainWrite: true }));
  }
  const chosen = tried.find((t) => t.directIo) ?? tried[0]!;
  return { base: chosen.folder, directIo: chosen.directIo, writable: chosen.writable, configured: false, tried };
}

/** What a check found, for a skip reason: `/tmp: no O_DIRECT (dd: failed to open …: Invalid argument); /var/tmp: …`. */
export function describeScratch(check: ScratchCheck): string {
  return check.tried
    .map((t) => `${t.folder}: ${t.directIo ? 'takes O_DIRECT' : t.writable ? 'no O_DIRECT' : 'cannot be written'}${t.said ? ` (${t.said})` : ''}`)
    .join('; ');
}

/**
 * Makes the run's private scratch folder (mode 0700, random name) in the checked base folder
 * and tells createScratchDisk to use it as it is: the check already chose it, so its disks are
 * not probed or moved again. Removed by the runner after the run.
 */
export async function openScratchFolder(host: Host, check: ScratchCheck): Promise<string> {
  let dir: string;
  if (!check.configured && check.base === check.tried[0]?.folder) {
    dir = await host.makeTempDir('hvbench-scratch-');
  } else {
    dir = posix.join(check.base, `hvbench-scratch-${randomBytes(6).toString('hex')}`);
    const made = await execSetup(host, ['mkdir', '-p', '-m', '700', dir]);
    if (made.exitCode !== 0)
      throw new HvbError('scratch-disk', `cannot create the scratch folder ${dir}: ${made.stderr.trim() || `exit code ${made.exitCode}`}`);
  }
  let perHost = probed.get(host);
  if (!perHost) probed.set(host, (perHost = new Map()));
  perHost.set(dir, Promise.resolve(check.directIo ? dir : null));
  return dir;
}

async function homeFolder(host: Host): Promise<string | undefined> {
  const home = (await hostEnv(host)).HOME;
  return home?.startsWith('/') && home !== '/' ? home : undefined;
}

/** The environment of a command on the host (`env`): where its temporary and home folders are. */
async function hostEnv(host: Host): Promise<Record<string, string>> {
  const env = await execSetup(host, ['env']);
  const vars: Record<string, string> = {};
  for (const m of env.stdout.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/gm)) vars[m[1]!] = m[2]!.trim();
  return vars;
}
