import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { libvirtCanaryCachePath, readLibvirtCanary, writeLibvirtCanary } from '../../../src/backends/libvirt/canary-cache.ts';

const fingerprint = {
  host: 'local',
  hostKernel: '6.1.0-57-amd64',
  uri: 'qemu:///system',
  libvirt: '9.0.0',
  hypervisor: 'QEMU 7.2.22',
  image: 'e712d72a12c7ec45',
};

let cache: string;
beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), 'hvb-lv-canary-'));
});
afterEach(async () => {
  await rm(cache, { recursive: true, force: true });
});

describe('libvirt-kvm canary cache', () => {
  it('keeps a verdict per host, connection and image, and returns it for exactly that fingerprint', async () => {
    const broken = 'KVM domains are offered but cannot boot Linux guests here: …';
    await writeLibvirtCanary(cache, { fingerprint, broken, checkedAt: '2026-12-07T06:00:00.000Z' });
    expect(await readLibvirtCanary(cache, { ...fingerprint })).toEqual({ fingerprint, broken, checkedAt: '2026-12-07T06:00:00.000Z' });
    // Any field changed: another key, nothing cached (a new canary boots).
    for (const field of Object.keys(fingerprint) as (keyof typeof fingerprint)[])
      expect(await readLibvirtCanary(cache, { ...fingerprint, [field]: `${fingerprint[field]}x` }), field).toBeUndefined();
  });

  it('keeps a canary that booted (no `broken`)', async () => {
    await writeLibvirtCanary(cache, { fingerprint, checkedAt: '2026-12-07T06:00:00.000Z' });
    expect((await readLibvirtCanary(cache, fingerprint))?.broken).toBeUndefined();
    expect(await readLibvirtCanary(cache, fingerprint)).toMatchObject({ checkedAt: '2026-12-07T06:00:00.000Z' });
  });

  it('ignores a file that is not a verdict, or one for another fingerprint under this key', async () => {
    const file = libvirtCanaryCachePath(cache, fingerprint);
    await writeLibvirtCanary(cache, { fingerprint, checkedAt: 'x' });
    await writeFile(file, '{ not json');
    expect(await readLibvirtCanary(cache, fingerprint)).toBeUndefined();
    await writeFile(file, JSON.stringify({ fingerprint: { ...fingerprint, uri: 'qemu:///session' }, checkedAt: 'x' }));
    expect(await readLibvirtCanary(cache, fingerprint)).toBeUndefined();
    await writeFile(file, JSON.stringify({ fingerprint, broken: 42, checkedAt: 'x' }));
    expect(await readLibvirtCanary(cache, fingerprint)).toBeUndefined();
  });
});
