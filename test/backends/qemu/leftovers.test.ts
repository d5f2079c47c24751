import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OWNER_ENV } from '../../../src/backends/common/owner.ts';
import { orphanQemu, qemuLeftovers } from '../../../src/backends/qemu/leftovers.ts';
import { processStart } from '../../../src/util/proc.ts';

/** A pid that named a process a moment ago and names none now. */
const gonePid = () => spawnSync(process.execPath, ['-e', '']).pid;

const waitFor = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
};

describe('QEMU leftovers', () => {
  let dir: string;
  let tmp: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvb-qemu-leftovers-'));
    tmp = join(dir, 'tmp');
    await mkdir(tmp);
  });
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  /** A VM folder as qemu/vm.ts makes it, `ageMs` old, whose pid file names `pid`. */
  const vmDir = async (name: string, pid: number, ageMs: number) => {
    const d = join(tmp, name);
    await mkdir(d);
    await writeFile(join(d, 'qemu.pid'), `${pid}\n`);
    await writeFile(join(d, 'qmp.sock'), '');
    const when = new Date(Date.now() - ageMs);
    await utimes(d, when, when);
    return d;
  };

  /** A process named like QEMU (a copy of sleep), working in `cwd`, with `env`. */
  const fakeQemu = async (cwd: string, env: Record<string, string>) => {
    const bin = join(dir, 'qemu-system-x86_64');
    if (!existsSync(bin)) await copyFile('/bin/sleep', bin);
    await chmod(bin, 0o755);
    const child = spawn(bin, ['60'], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
    children.push(child);
    await waitFor('the fake QEMU to start', () => processStart(child.pid!) !== undefined);
    return child;
  };

  it('finds a VM folder a minute old whose QEMU is gone; a fresh one, one with other files and a link are not removed', async () => {
    const old = await vmDir('hvbench-cpu-r1-AbC123', gonePid(), 10 * 60_000);
    await vmDir('hvbench-cpu-r2-XyZ789', gonePid(), 1_000);
    const other = await vmDir('hvbench-cpu-r3-Other1', gonePid(), 10 * 60_000);
    await writeFile(join(other, 'notes.txt'), 'not a VM folder');
    await symlink(old, join(tmp, 'hvbench-link-Lnk123'));
    const { found, skipped } = await qemuLeftovers.find({ tmpDir: tmp });
    expect(found.map((f) => ({ kind: f.kind, what: f.what, facts: f.facts }))).toEqual([{ kind: 'vm-folder', what: `VM folder ${old}`, facts: { path: old } }]);
    // The link reads as a VM folder through it, but is never removed.
    expect(skipped).toEqual([{ what: `VM folder ${join(tmp, 'hvbench-link-Lnk123')}`, why: 'it is a symbolic link, not a folder hvbench made' }]);
    expect(await found[0]!.remove()).toEqual({ removed: `VM folder ${old}` });
    expect(existsSync(old)).toBe(false);
    expect(existsSync(other)).toBe(true);
  });

  it('leaves a folder alone while a process works in it', async () => {
    const d = await vmDir('hvbench-cpu-r1-Busy12', gonePid(), 10 * 60_000);
    await fakeQemu(d, {});
    expect((await qemuLeftovers.find({ tmpDir: tmp })).found).toEqual([]);
  });

  it('finds a QEMU whose owner is gone, kills it, then removes its folder; a QEMU without the mark or with a live owner is left alone', async () => {
    const owner = { pid: gonePid(), start: 1 };
    const orphanDir = await vmDir('hvbench-cpu-r1-Orphan', 0, 0);
    const orphan = await fakeQemu(orphanDir, { [OWNER_ENV]: `${owner.pid}-${owner.start}` });
    const unmarked = await vmDir('hvbench-cpu-r2-NoMark', 0, 0);
    await fakeQemu(unmarked, {});
    const me = processStart(process.pid)!;
    const live = await vmDir('hvbench-cpu-r3-LiveOw', 0, 0);
    await fakeQemu(live, { [OWNER_ENV]: `${process.pid}-${me}` });
    await writeFile(join(orphanDir, 'qemu.pid'), `${orphan.pid}\n`);

    const { found, skipped } = await qemuLeftovers.find({ tmpDir: tmp });
    expect(skipped).toEqual([]);
    expect(found.map((f) => ({ kind: f.kind, what: f.what, facts: f.facts }))).toEqual([
      {
        kind: 'qemu-process',
        what: `QEMU process ${orphan.pid} in ${orphanDir} (its hvbench, process ${owner.pid}, is gone)`,
        facts: { pid: orphan.pid, dir: orphanDir, ownerPid: owner.pid },
      },
      { kind: 'vm-folder', what: `VM folder ${orphanDir}`, facts: { path: orphanDir } },
    ]);
    const outcomes = [];
    for (const f of found) outcomes.push(await f.remove());
    expect(outcomes).toEqual([{ removed: `QEMU process ${orphan.pid} in ${orphanDir}` }, { removed: `VM folder ${orphanDir}` }]);
    await waitFor('the orphan to go', () => processStart(orphan.pid!) === undefined);
    expect(existsSync(orphanDir)).toBe(false);
    expect(existsSync(unmarked) && existsSync(live)).toBe(true);
  });

  it('finds the virtiofsd of a virtiofs share in its VM folder once its owner is gone, and kills it before the folder goes', async () => {
    const owner = { pid: gonePid(), start: 1 };
    const d = await vmDir('hvbench-fs-r1-Vfsd12', gonePid(), 0);
    await writeFile(join(d, 'virtiofsd.sock'), '');
    const bin = join(dir, 'virtiofsd');
    await copyFile('/bin/sleep', bin);
    await chmod(bin, 0o755);
    const daemon = spawn(bin, ['60'], { cwd: d, env: { PATH: process.env.PATH ?? '', [OWNER_ENV]: `${owner.pid}-${owner.start}` }, stdio: 'ignore' });
    children.push(daemon);
    await waitFor('the fake virtiofsd to start', () => processStart(daemon.pid!) !== undefined);

    const { found } = await qemuLeftovers.find({ tmpDir: tmp });
    expect(found.map((f) => ({ kind: f.kind, what: f.what }))).toEqual([
      { kind: 'qemu-process', what: `virtiofsd process ${daemon.pid} in ${d} (its hvbench, process ${owner.pid}, is gone)` },
      { kind: 'vm-folder', what: `VM folder ${d}` },
    ]);
    expect(await found[0]!.remove()).toEqual({ removed: `virtiofsd process ${daemon.pid} in ${d}` });
    await waitFor('the orphan virtiofsd to go', () => processStart(daemon.pid!) === undefined);
    expect(await found[1]!.remove()).toEqual({ removed: `VM folder ${d}` });
  });

  it('kills nothing when, looked at again, the pid names another process', async () => {
    const d = await vmDir('hvbench-cpu-r1-Reused', 0, 0);
    const child = await fakeQemu(d, {});
    const start = processStart(child.pid!)!;
    const leftover = orphanQemu({ pid: child.pid!, start: start + 1, dir: d, owner: { pid: gonePid(), start: 1 } });
    expect(await leftover.remove()).toEqual({});
    expect(processStart(child.pid!)).toBe(start);
  });
});
