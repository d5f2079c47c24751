import { readdir, readlink } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../../src/backends/common/backend.ts';
import type { QemuVm } from '../../../src/backends/qemu/running-vm.ts';
import { tcgBackend } from '../../../src/backends/qemu/tcg.ts';
import { caseDevices } from '../../../src/devices/case-devices.ts';
import { LocalHost } from '../../../src/hosts/local.ts';
import { setupCase } from '../../../src/runner/case-setup.ts';
import { runRepetition } from '../../../src/runner/repetition.ts';
import { disk } from '../../../src/workloads/disk.ts';
import type { Workload } from '../../../src/workloads/workload.ts';
import { realGuestHooks } from '../../support/guest-image.ts';

// The real guest image under QEMU TCG on a virtio-blk disk with aio=io_uring, an iothread and
// two queues, through the real probe, case planning, case setup and runner. QEMU's own view
// over QMP (the drive's cache mode, the device's queues and iothread), the io_uring instance
// QEMU opened for the drive, and the guest's view (the queues its block layer made). Two
// vCPUs: Linux's virtio_blk makes at most one queue per CPU. About a minute.

const host = new LocalHost();

interface QemuView {
  block: { device: string; inserted?: { cache: Record<string, boolean> } }[];
  queues: number;
  iothread: string;
  ioUringFds: number;
}

/** The tcg backend, but every launch is inspected over QMP and /proc while the guest runs. */
function inspecting(seen: QemuView[]): Backend {
  return {
    ...tcgBackend,
    async launch(vm, h) {
      const running = (await tcgBackend.launch(vm, h)) as QemuVm;
      const qmp = running.qmpClient!;
      const anon = await qmp.execute<{ name: string; type: string }[]>('qom-list', { path: '/machine/peripheral-anon' });
      const blk = anon.find((p) => p.type === 'child<virtio-blk-pci>');
      if (!blk) throw new Error(`no virtio-blk-pci device in ${JSON.stringify(anon)}`);
      const device = `/machine/peripheral-anon/${blk.name}`;
      const fds = await readdir(`/proc/${running.pid}/fd`);
      const links = await Promise.all(fds.map((fd) => readlink(`/proc/${running.pid}/fd/${fd}`).catch(() => '')));
      seen.push({
        block: await qmp.execute('query-block'),
        queues: await qmp.execute('qom-get', { path: device, property: 'num-queues' }),
        iothread: await qmp.execute('qom-get', { path: device, property: 'iothread' }),
        ioUringFds: links.filter((l) => l.includes('io_uring')).length,
      });
      return running;
    },
  };
}

/** The disk workload with one step before fio: the queues of the guest's block device. */
const diskAndQueues: Workload<typeof disk.params> = {
  ...disk,
  command: (p, ctx) => {
    const own = disk.command(p, ctx);
    return { ...own, steps: [{ id: 'mq', argv: ['ls', '/sys/block/vda/mq'] }, ...own.steps] };
  },
};

describe('the disk I/O path on the real TCG backend', () => {
  const guest = realGuestHooks('hvb-disk-path-int-');

  it('runs fio on virtio-blk with aio=io_uring, an iothread and two queues, as QEMU and the guest both see', async () => {
    const capability = await tcgBackend.probe(host);
    expect(capability.facts['qemuIoUring']).toBe('yes');
    const params = disk.params.parse({ runtimeSec: 1, sizeMiB: 16, aio: 'io_uring', iothread: true, queues: 2 });
    const planned = caseDevices('tcg', tcgBackend.devices(), disk.devices!(params), capability.facts);
    if ('skip' in planned) throw new Error(planned.skip);
    expect(planned.devices.disk).toEqual({
      model: 'virtio-blk',
      io: 'paravirtual',
      sizeMiB: 16,
      path: { aio: 'io_uring', cache: 'none', iothread: true, queues: 2 },
    });
    const setup = await setupCase({
      caseId: 'tcg/disk/path',
      slug: 'disk-path',
      workload: diskAndQueues,
      devices: planned.devices,
      image: guest.image,
      host,
      scratchDir: guest.work,
    });
    const seen: QemuView[] = [];
    try {
      const out = await runRepetition({
        backend: inspecting(seen),
        host,
        image: guest.image,
        workload: diskAndQueues,
        params,
        setup,
        vcpus: 2,
        memoryMiB: 512,
        timeoutSec: 300,
        name: 'disk-path',
      });
      expect(out.error, out.guestLog.slice(-20).join('\n')).toBeUndefined();
      expect(out.status).toBe('completed');
      expect(out.dims).toMatchObject({ disk_driver: 'virtio_blk' });
      for (const m of ['disk.seq_read_mib_s', 'disk.rand_write_iops']) expect(out.values.find((v) => v.metric === m)?.value, m).toBeGreaterThan(0);

      // QEMU's view: cache=none is O_DIRECT with QEMU's write cache on; the device has its
      // iothread and two queues; the drive's io_uring instance is the only one QEMU has
      // (aio=threads opens none: measured on QEMU 7.2).
      expect(seen).toHaveLength(1);
      const [view] = seen as [QemuView];
      expect(view.block.find((b) => b.device === 'scratch')?.inserted?.cache).toEqual({ direct: true, writeback: true, 'no-flush': false });
      expect(view.queues).toBe(2);
      expect(view.iothread).toBe('/objects/io0');
      expect(view.ioUringFds).toBe(1);

      // The guest's view: its block layer made a hardware queue per virtqueue.
      const mq = out.steps.find((s) => s.id === 'mq')?.output ?? '';
      expect(mq.split(/\s+/).filter((w) => w !== '')).toEqual(['0', '1']);
    } finally {
      await setup.release();
    }
  }, 400_000);
});
