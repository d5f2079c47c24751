import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/common/backend.ts';
import { killAllVms } from '../../src/backends/common/live-vms.ts';
import type { QemuVm } from '../../src/backends/qemu/running-vm.ts';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';
import { caseDevices } from '../../src/devices/case-devices.ts';
import { buildImage } from '../../src/guest/build.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { DEFAULT_RECIPE, TOOLS } from '../../src/guest/recipe.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { createNetworkProvider, type ProvidedNetwork } from '../../src/network/netns-provider.ts';
import { closeAllNetworks, liveNetworks } from '../../src/network/netns-registry.ts';
import { setupCase } from '../../src/runner/case-setup.ts';
import { runRepetition } from '../../src/runner/repetition.ts';
import { net } from '../../src/workloads/net.ts';
import { IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

// A real TCG guest with two vCPUs on a virtio-net NIC with two queue pairs, on a multi-queue
// tap in a namespace (root), through the real case planning, case setup and runner: QEMU's
// own view over QMP (the device's mq and vectors, the netdev's two queues), the guest's view
// (two rx and two tx queues in /sys/class/net/<nic>/queues, recorded as nic_queues), and
// iperf3 with two streams each way. About a minute.

const host = new LocalHost();
const root = process.getuid?.() === 0;
let image: GuestImage;
let work = '';

interface QemuView {
  mq: boolean;
  vectors: number;
  network: string;
}

/** The tcg backend, but every launch is inspected over QMP while the guest runs. */
function inspecting(seen: QemuView[]): Backend {
  return {
    ...tcgBackend,
    async launch(vm, h) {
      const running = (await tcgBackend.launch(vm, h)) as QemuVm;
      const qmp = running.qmpClient!;
      const anon = await qmp.execute<{ name: string; type: string }[]>('qom-list', { path: '/machine/peripheral-anon' });
      const nic = anon.find((p) => p.type === 'child<virtio-net-pci>');
      if (!nic) throw new Error(`no virtio-net-pci device in ${JSON.stringify(anon)}`);
      const device = `/machine/peripheral-anon/${nic.name}`;
      seen.push({
        mq: await qmp.execute('qom-get', { path: device, property: 'mq' }),
        vectors: await qmp.execute('qom-get', { path: device, property: 'vectors' }),
        network: await qmp.execute('human-monitor-command', { 'command-line': 'info network' }),
      });
      return running;
    },
  };
}

describe.skipIf(!root)('multi-queue virtio-net on a real TCG guest', () => {
  beforeAll(async () => {
    const tools = [...new Set([...DEFAULT_RECIPE.tools, TOOLS.iperf3, TOOLS.sockperf])];
    image = await buildImage({ recipe: { ...DEFAULT_RECIPE, tools }, log: (line) => process.stderr.write(`image: ${line}\n`) });
    work = await mkdtemp(join(tmpdir(), 'hvb-net-queues-int-'));
  }, IMAGE_BUILD_TIMEOUT_MS);
  afterEach(async () => {
    await killAllVms('test finished');
    await closeAllNetworks();
    expect(liveNetworks.size).toBe(0);
  });
  afterAll(async () => {
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it('queues 2 with 2 vCPUs: QEMU offers two pairs, the guest uses both, iperf3 runs two streams, the samples say so', { timeout: 300_000 }, async () => {
    const params = net.params.parse({ timeSec: 2, queues: 2 });
    const planned = caseDevices('tcg', tcgBackend.devices(), net.devices!(params));
    if ('skip' in planned) throw new Error(planned.skip);
    expect(planned.devices.nic).toEqual({ model: 'virtio-net', io: 'paravirtual', queues: 2 });
    const provider = createNetworkProvider({ image, mode: 'tap', stateDir: join(work, 'state') });
    let network: ProvidedNetwork | undefined;
    const setup = await setupCase({
      caseId: 'tcg/net/queues=2',
      slug: 'net-queues',
      workload: net,
      devices: planned.devices,
      image,
      host,
      scratchDir: work,
      network: { open: async (request) => (network = await provider.open(request)) },
    });
    const seen: QemuView[] = [];
    try {
      expect(setup.nics).toEqual([{ id: 'net0', model: 'virtio-net', attach: { kind: 'tap', ifname: 'hvb-tap0' }, queues: 2 }]);
      const out = await runRepetition({
        backend: inspecting(seen),
        host: network!.host,
        image,
        workload: net,
        params,
        setup,
        vcpus: 2,
        memoryMiB: 512,
        timeoutSec: 240,
        name: 'net-queues',
      });
      expect(out.error, out.guestLog.slice(-20).join('\n') + network!.peerLog()).toBeUndefined();
      expect(out.status).toBe('completed');
      // The guest's view, recorded on every sample: two pairs in use, bound by virtio_net.
      expect(out.dims).toMatchObject({ nic_driver: 'virtio_net', nic_queues: 2 });
      const listing = out.steps.find((s) => s.id === 'net-queues')?.output ?? '';
      expect(
        listing
          .split(/\s+/)
          .filter((w) => w !== '')
          .sort(),
      ).toEqual(['rx-0', 'rx-1', 'tx-0', 'tx-1']);
      // iperf3 ran two streams each way (its own report says so).
      for (const id of ['net-tx', 'net-rx']) {
        const report = JSON.parse(out.steps.find((s) => s.id === id)!.output.replace(/^[^{]*/, '')) as { start: { test_start: { num_streams: number } } };
        expect(report.start.test_start.num_streams, id).toBe(2);
      }
      for (const m of ['net.tx_gbit_s', 'net.rx_gbit_s']) expect(out.values.find((v) => v.metric === m)?.value, m).toBeGreaterThan(0.01);
      // QEMU's view: the device offers multi-queue with a vector per queue and two more; the
      // tap netdev has two queues (one line per queue in `info network`).
      expect(seen).toHaveLength(1);
      const [view] = seen as [QemuView];
      expect(view.mq).toBe(true);
      expect(view.vectors).toBe(6);
      expect(view.network.match(/type=tap,ifname=hvb-tap0/g), view.network).toHaveLength(2);
      // The case's dimensions: the asked value travels as param.queues (caseDims), the attachment as tap.
      expect(setup.dims).toMatchObject({ nic_model: 'virtio-net', net_attach: 'tap' });
    } finally {
      await setup.release();
    }
  });
});
