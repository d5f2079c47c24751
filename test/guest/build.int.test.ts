import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, inputsId, readInputs } from '../../src/guest/build.ts';
import { defaultCacheDir } from '../../src/guest/cache.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { loadImage } from '../../src/guest/load.ts';
import { formatManifest } from '../../src/guest/manifest.ts';
import { readCpio, type CpioMember } from './fixtures/cpio-reader.ts';

// A real build from Debian packages. Downloads go to the shared cache (defaultCacheDir(),
// or $HVBENCH_CACHE), so only the first run on a machine fetches anything; the images are
// built into fresh temporary folders every time.
const MINUTES = 60_000;
const debCacheDir = defaultCacheDir();
let work: string;
let agentPath: string;
let first: GuestImage;
let firstLog: string[];
let members: Map<string, CpioMember>;
let segments: Map<string, Map<string, CpioMember>>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hvb-build-'));
  agentPath = join(work, 'init.sh');
  await writeFile(agentPath, '#!/bin/sh\necho "test agent"\nexec sh\n');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('guest image build from Debian packages', () => {
  it('builds kernel, initramfs and manifest', { timeout: 15 * MINUTES }, async () => {
    firstLog = [];
    first = await buildImage({ cacheDir: join(work, 'a'), debCacheDir, agentPath, log: (l) => firstLog.push(l) });
    expect(firstLog).toContain('resolving packages');
    expect(firstLog.some((l) => /^writing initramfs: \d+ entries, [\d.]+ MiB$/.test(l))).toBe(true);
    expect(first.dir).toBe(join(work, 'a', 'images', first.manifest.id));
    expect(first.hash).toMatch(/^[0-9a-f]{16}$/);
    const m = first.manifest;
    expect(m.kernel.version).toMatch(/^\d+\.\d+\.\d+-\d+-amd64$/);
    expect(m.packages.filter((p) => p.role === 'kernel').map((p) => p.name)).toEqual([`linux-image-${m.kernel.version}`]);
    expect(m.packages.map((p) => p.name)).toEqual(expect.arrayContaining(['busybox-static', 'sysbench', 'libc6', 'libgcc-s1']));
    // No workload tool in the base: a boot-only guest boots the least bytes.
    expect(m.tools).toEqual([]);
    expect(m.segments.map((s) => [s.name, s.tools])).toEqual([
      ['sysbench', ['sysbench']],
      ['fio', ['fio']],
      ['stress-ng', ['stress-ng']],
      ['rt-tests', ['cyclictest', 'hackbench']],
      ['net', ['iperf3', 'sockperf']],
      ['micro', ['hvb-micro']],
    ]);
    expect(m.programs).toEqual([
      expect.objectContaining({ name: 'hvb-micro', segment: 'micro', argv: ['gcc', '-O2', '-static', '-s', '-o', 'hvb-micro', 'hvb-micro.c'] }),
    ]);
    expect(Object.keys(m.agent.helpers)).toEqual(['hvb-dev', 'hvb-fresh']);
    expect(formatManifest(m)).toContain(m.kernel.version);
    expect(firstLog.filter((l) => l.startsWith('writing segment '))).toHaveLength(6);

    const cpio = gunzipSync(await readFile(first.initramfs));
    expect(cpio.length).toBe(m.initramfs.unpackedBytes);
    const archive = readCpio(cpio);
    expect(archive.members.length).toBe(m.initramfs.entries);
    members = new Map(archive.members.map((e) => [e.name, e]));
    segments = new Map();
    for (const s of m.segments) {
      const seg = gunzipSync(await readFile(join(first.dir, s.file)));
      expect(seg.length, s.name).toBe(s.unpackedBytes);
      segments.set(s.name, new Map(readCpio(seg).members.map((e) => [e.name, e])));
    }
  });

  it('keeps the tool groups out of the base, each segment holding only files the base lacks', () => {
    expect(members.has('usr/bin/fio')).toBe(false);
    expect(members.has('usr/bin/sysbench')).toBe(false);
    expect(segments.get('sysbench')?.has('usr/bin/sysbench')).toBe(true);
    expect(members.get('usr/bin/hvb-dev')).toMatchObject({ mode: 0o100755 });
    expect(members.get('usr/bin/hvb-fresh')).toMatchObject({ mode: 0o100755 });
    expect(segments.get('fio')?.has('usr/bin/fio')).toBe(true);
    expect(segments.get('rt-tests')?.has('usr/bin/cyclictest')).toBe(true);
    expect(segments.get('micro')?.get('usr/bin/hvb-micro')).toMatchObject({ mode: 0o100755 });
    for (const [name, seg] of segments) {
      for (const [path, member] of seg) {
        if ((member.mode & 0o170000) === 0o040000) continue;
        expect(members.has(path), `${name}: ${path} is already in the base`).toBe(false);
      }
    }
    // Shared by every tool and busybox's neighbours: shipped once, in the base.
    expect(members.has('lib/x86_64-linux-gnu/libc.so.6')).toBe(true);
  });

  it('puts the agent, busybox, the C library and the modules into the base initramfs', () => {
    const m = first.manifest;
    expect(members.get('init')).toMatchObject({ mode: 0o100755 });
    expect(members.get('bin/busybox')).toMatchObject({ mode: 0o100755 });
    expect(members.get('bin/sh')?.data.toString()).toBe('/bin/busybox');
    expect(members.has('lib/x86_64-linux-gnu/libc.so.6')).toBe(true);
    expect(members.has('lib64/ld-linux-x86-64.so.2')).toBe(true);
    expect(members.has('lib/x86_64-linux-gnu/libgcc_s.so.1')).toBe(true);
    expect(members.get('etc/hvb/tools')?.data.toString()).toBe('');
    expect(members.get('etc/hvb/image')?.data.toString()).toBe(`kernel=${m.kernel.version}\nimage=${m.id}\n`);

    const virtioBlk = m.modules.find((mod) => mod.name === 'virtio_blk');
    expect(virtioBlk).toBeDefined();
    const loadList = members.get('lib/hvb/modules/virtio_blk')?.data.toString() ?? '';
    if (virtioBlk?.builtin) {
      expect(loadList).toBe('');
    } else {
      expect(members.has(virtioBlk?.path?.slice(1) ?? '')).toBe(true);
      expect(loadList.trim().split('\n').at(-1)).toBe(virtioBlk?.path);
    }
    for (const mod of m.modules) if (mod.path) expect(members.has(mod.path.slice(1)), mod.path).toBe(true);
    expect(members.has(`lib/modules/${m.kernel.version}/modules.dep`)).toBe(true);
  });

  it('runs sysbench and fio from base + their segments (chroot, needs root)', {
    skip: process.getuid?.() !== 0 || !existsSync('/usr/sbin/chroot'),
  }, async () => {
    const root = join(work, 'root');
    for (const e of [...members.values(), ...(segments.get('sysbench')?.values() ?? []), ...(segments.get('fio')?.values() ?? [])]) {
      const path = join(root, e.name);
      const type = e.mode & 0o170000;
      await mkdir(type === 0o040000 ? path : dirname(path), { recursive: true });
      if (type === 0o100000) {
        await writeFile(path, e.data);
        await chmod(path, e.mode & 0o7777);
      } else if (type === 0o120000) {
        // Two segments may both carry a library the base lacks; the later one wins, as in the kernel's unpacking.
        await rm(path, { force: true });
        await symlink(e.data.toString(), path);
      }
    }
    const out = execFileSync('/usr/sbin/chroot', [root, '/usr/bin/sysbench', '--version']).toString();
    expect(out).toMatch(/^sysbench \d/);
    expect(execFileSync('/usr/sbin/chroot', [root, '/usr/bin/fio', '--version']).toString()).toMatch(/^fio-3\./);
    expect(execFileSync('/usr/sbin/chroot', [root, '/bin/sh', '-c', 'echo ok']).toString()).toBe('ok\n');
  });

  it('rebuilds the same bytes from the manifest into another cache', { timeout: 15 * MINUTES }, async () => {
    const log: string[] = [];
    const again = await buildImage({ cacheDir: join(work, 'b'), debCacheDir, agentPath, fromManifest: first.manifest, log: (l) => log.push(l) });
    expect(log.some((l) => l.startsWith('writing initramfs'))).toBe(true);
    expect(log).not.toContain('resolving packages');
    expect(again.manifest).toEqual(first.manifest);
    expect(again.hash).toBe(first.hash);
    expect((await readFile(again.kernel)).equals(await readFile(first.kernel))).toBe(true);
    expect((await readFile(again.initramfs)).equals(await readFile(first.initramfs))).toBe(true);
    expect(await readFile(join(again.dir, 'manifest.json'), 'utf8')).toBe(await readFile(join(first.dir, 'manifest.json'), 'utf8'));
  });

  it('returns a built image without apt or dpkg work, and loads it', { timeout: 2 * MINUTES }, async () => {
    const log: string[] = [];
    const warm = await buildImage({ cacheDir: join(work, 'a'), debCacheDir, agentPath, log: (l) => log.push(l) });
    expect(log).toEqual([`image ${first.manifest.id} is up to date`]);
    expect(warm).toEqual(first);
    expect(await buildImage({ cacheDir: join(work, 'a'), debCacheDir, agentPath, verify: true })).toEqual(first);
    expect(await loadImage({ cacheDir: join(work, 'a'), agentPath })).toEqual(first);
  });

  it('builds a damaged image again', { timeout: 5 * MINUTES }, async () => {
    await writeFile(first.initramfs, 'truncated');
    const log: string[] = [];
    const repaired = await buildImage({ cacheDir: join(work, 'a'), debCacheDir, agentPath, log: (l) => log.push(l) });
    expect(log[0]).toMatch(/^image [0-9a-f]{16} is damaged \(initramfs\.cpio\.gz has 9 bytes/);
    expect(repaired).toEqual(first);
  });

  it('names the package and version when a manifest asks for one the mirrors no longer have', { timeout: 5 * MINUTES }, async () => {
    const packages = first.manifest.packages.map((p) => (p.name === 'sysbench' ? { ...p, version: '0.0.1-0' } : p));
    const old = { ...first.manifest, packages, id: inputsId(first.manifest.recipe, packages, await readInputs(first.manifest.recipe, { agentPath })) };
    await expect(buildImage({ cacheDir: join(work, 'c'), debCacheDir, agentPath, fromManifest: old })).rejects.toThrow(
      'sysbench version 0.0.1-0 is not available from the configured Debian mirrors',
    );
  });
});
