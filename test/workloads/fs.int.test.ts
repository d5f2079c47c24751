import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/common/backend.ts';
import { nativeBackend } from '../../src/backends/native/native.ts';
import type { QemuVm } from '../../src/backends/qemu/running-vm.ts';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';
import { caseDevices } from '../../src/devices/case-devices.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { setupCase } from '../../src/runner/case-setup.ts';
import { runRepetition } from '../../src/runner/repetition.ts';
import { FS_MOUNT_POINT, fs } from '../../src/workloads/fs.ts';
import { realGuestHooks } from '../support/guest-image.ts';
import { processesNamed } from '../support/processes.ts';

// The fs workload on the real guest image: under QEMU TCG once per share (virtiofs through
// virtiofsd, 9p, ext4 on virtio-blk), and natively in the host folder, through the real probe,
// case planning, case setup and runner. QEMU's view of its devices over QMP (qom-list), what
// the guest mounted (/proc/mounts), and that no virtiofsd and no share folder is left. About
// 100 s on a 2-core machine (about 30 s per TCG boot, 13 s native).

const host = new LocalHost();

/** The QOM types of QEMU's devices without an id (every -device hvbench adds), read while the guest runs. */
function inspecting(backend: Backend, seen: string[][]): Backend {
  return {
    ...backend,
    async launch(vm, h) {
      const running = (await backend.launch(vm, h)) as QemuVm;
      const anon = await running.qmpClient!.execute<{ name: string; type: string }[]>('qom-list', { path: '/machine/peripheral-anon' });
      seen.push(anon.map((p) => p.type));
      return running;
    },
  };
}

const CASES = [
  { share: 'virtiofs', device: 'child<vhost-user-fs-pci>', fs: 'virtiofs', model: 'virtiofs' },
  { share: '9p', device: 'child<virtio-9p-pci>', fs: '9p', model: '9p' },
  { share: 'block', device: 'child<virtio-blk-pci>', fs: 'ext4', model: 'block' },
] as const;

describe('the fs workload on real guests', () => {
  const guest = realGuestHooks('hvb-fs-int-');

  for (const c of CASES) {
    it(`runs fio on a file over ${c.share} under TCG, as QEMU and the guest both see, and leaves nothing`, async () => {
      const capability = await tcgBackend.probe(host);
      expect(capability.facts['virtiofsd']).toMatch(/^\//);
      const params = fs.params.parse({ share: c.share, sizeMiB: 16, runtimeSec: 1 });
      const planned = caseDevices('tcg', tcgBackend.devices(), fs.devices!(params), capability.facts);
      if ('skip' in planned) throw new Error(planned.skip);
      expect(planned.devices.share).toEqual({ kind: c.share, model: c.model, io: 'paravirtual' });
      const setup = await setupCase({
        caseId: `tcg/fs/${c.share}`,
        slug: `fs-${c.share}`,
        workload: fs,
        devices: planned.devices,
        image: guest.image,
        host,
        scratchDir: guest.work,
      });
      const folder = setup.shares[0]?.path;
      const seen: string[][] = [];
      try {
        const out = await runRepetition({
          backend: inspecting(tcgBackend, seen),
          host,
          image: guest.image,
          workload: fs,
          params,
          setup,
          vcpus: 1,
          memoryMiB: 512,
          timeoutSec: 300,
          name: `fs-${c.share}`,
        });
        expect(out.error, out.guestLog.slice(-30).join('\n')).toBeUndefined();
        expect(out.status).toBe('completed');
        for (const m of ['fs.seq_read_mib_s', 'fs.seq_write_mib_s', 'fs.rand_read_iops', 'fs.rand_write_iops']) {
          expect(out.values.find((v) => v.metric === m)?.value, m).toBeGreaterThan(0);
        }
        expect(setup.dims).toMatchObject({ share: c.model, io: 'paravirtual' });
        expect(out.dims).toMatchObject({ share_fs: c.fs });
        // What the guest mounted, in its own words.
        const mounts = out.steps.find((s) => s.id === 'mounts')?.output ?? '';
        expect(mounts).toMatch(new RegExp(`^\\S+ ${FS_MOUNT_POINT} ${c.fs} `, 'm'));
        // QEMU's view of the device it gave the guest.
        expect(seen).toHaveLength(1);
        expect(seen[0]).toContain(c.device);
        if (c.share === 'block') expect(out.dims).toMatchObject({ disk_driver: 'virtio_blk' });
        if (folder !== undefined) expect(existsSync(`${folder}/hvb-fio.dat`)).toBe(true);
      } finally {
        await setup.release();
      }
      expect(processesNamed('virtiofsd')).toEqual([]);
      if (folder !== undefined) expect(existsSync(folder)).toBe(false);
    }, 400_000);
  }

  it('runs the same file work natively in the host folder itself', async () => {
    const capability = await nativeBackend.probe(host);
    if (!capability.available) throw new Error(capability.reason);
    const params = fs.params.parse({ share: 'virtiofs', sizeMiB: 16, runtimeSec: 1 });
    const planned = caseDevices('native', nativeBackend.devices(), fs.devices!(params), capability.facts);
    if ('skip' in planned) throw new Error(planned.skip);
    expect(planned.devices.share).toEqual({ kind: 'virtiofs', model: 'host-dir', io: 'none' });
    for (const other of ['9p', 'block'] as const) {
      const skipped = caseDevices('native', nativeBackend.devices(), fs.devices!(fs.params.parse({ share: other })), capability.facts);
      expect(skipped).toMatchObject({ skip: expect.stringContaining('host folder itself') });
    }
    const setup = await setupCase({
      caseId: 'native/fs',
      slug: 'fs-native',
      workload: fs,
      devices: planned.devices,
      image: guest.image,
      host,
      scratchDir: guest.work,
    });
    const folder = setup.shares[0]!.path;
    try {
      const out = await runRepetition({
        backend: nativeBackend,
        host,
        image: guest.image,
        workload: fs,
        params,
        setup,
        vcpus: 1,
        memoryMiB: 512,
        timeoutSec: 300,
        name: 'fs-native',
      });
      expect(out.error, out.guestLog.slice(-30).join('\n')).toBeUndefined();
      expect(out.values.find((v) => v.metric === 'fs.rand_write_iops')?.value).toBeGreaterThan(0);
      expect(setup.dims).toMatchObject({ share: 'host-dir', io: 'none' });
      expect(out.dims['share_fs']).toBeDefined();
      // The file work happened in the host folder.
      expect(existsSync(`${folder}/hvb-fio.dat`)).toBe(true);
    } finally {
      await setup.release();
    }
    expect(existsSync(folder)).toBe(false);
  }, 400_000);
});
