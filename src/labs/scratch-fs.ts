import { open, rm } from 'node:fs/promises';
import { execa } from 'execa';
import { HvbError } from '../util/errors.ts';

/**
 * Makes the KVM lab's disk: a sparse raw file of `sizeGiB` with an empty ext4 on it, which the
 * lab mounts as /tmp (src/labs/init.sh). The lab's own filesystems are in RAM (tmpfs), and
 * QEMU inside the lab opens a case's scratch disk with O_DIRECT (cache=none), which tmpfs
 * refuses. Formatted here, with this machine's mke2fs (e2fsprogs, in every Debian), so
 * the lab image needs no mkfs; the inode tables are written now, not lazily by the lab's
 * kernel under TCG (few inodes, `-T largefile`, and a 16 MiB journal: scratch disks are a few
 * large files, so about 20 MiB are written, in well under a second). The file lives in the lab's state folder and goes
 * with it at `down`.
 */
export async function makeScratchFilesystem(path: string, sizeGiB: number): Promise<void> {
  await rm(path, { force: true });
  const file = await open(path, 'wx', 0o600);
  try {
    await file.truncate(sizeGiB * 1024 ** 3);
  } finally {
    await file.close();
  }
  const argv = [
    '-q',
    '-F',
    '-t',
    'ext4',
    '-T',
    'largefile',
    '-J',
    'size=16',
    '-m',
    '0',
    '-L',
    'hvb-lab-tmp',
    '-E',
    'lazy_itable_init=0,lazy_journal_init=0,nodiscard',
    path,
  ];
  const r = await execa('mke2fs', argv, {
    reject: false,
    stdin: 'ignore',
    timeout: 120_000,
    env: { LC_ALL: 'C', PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
  });
  if (r.exitCode !== 0) {
    await rm(path, { force: true });
    const missing = (r.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    throw new HvbError(
      'lab-disk-failed',
      `cannot make the KVM lab's /tmp disk ${path}: ${missing ? 'mke2fs was not found' : String(r.stderr || r.stdout).trim() || `mke2fs exit code ${r.exitCode}`}`,
      {
        hint: 'install e2fsprogs (Debian: apt-get install e2fsprogs)',
      },
    );
  }
}
