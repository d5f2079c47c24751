import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAllVms } from '../../src/backends/common/live-vms.ts';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';
import { caseDevices } from '../../src/devices/case-devices.ts';
import { buildImage } from '../../src/guest/build.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { DEFAULT_RECIPE, TOOLS } from '../../src/guest/recipe.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { cleanLeftovers } from '../../src/network/netns-leftovers.ts';
import { createNetworkProvider, type ProvidedNetwork } from '../../src/network/netns-provider.ts';
import { openNetwork, type Network } from '../../src/network/netns-plumbing.ts';
import { closeAllNetworks, closeAllNetworksSync, liveNetworks } from '../../src/network/netns-registry.ts';
import type { LocalNetMode } from '../../src/workloads/net-endpoint.ts';
import { runRepetition } from '../../src/runner/repetition.ts';
import { setupCase } from '../../src/runner/case-setup.ts';
import { net } from '../../src/workloads/net.ts';
import { isRunning } from '../backends/fixtures/proc-scan.ts';
import { IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

// Real plumbing as root: a namespace with a tap and the image's own iperf3/sockperf as
// peers, a guest booted under TCG inside it, then nothing left. Each boot runs the three
// measurements for 2 s; a run that is killed mid-way is cleaned up by cleanLeftovers().

const host = new LocalHost();
const root = process.getuid?.() === 0;
const REPO = new URL('../../', import.meta.url).pathname;
let image: GuestImage;
let work = '';
let stateDir = '';

/** The default recipe, with the net tools added when it does not carry them yet (same image otherwise). */
function netImage(): Promise<GuestImage> {
  const tools = [...new Set([...DEFAULT_RECIPE.tools, TOOLS.iperf3, TOOLS.sockperf])];
  return buildImage({ recipe: { ...DEFAULT_RECIPE, tools }, log: (line) => process.stderr.write(`image: ${line}\n`) });
}

const namespaces = () => execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });

/** One case of the net workload through the runner's own case setup, and its single repetition. */
async function runNetCase(mode: LocalNetMode, params: Record<string, unknown>) {
  const p = net.params.parse({ timeSec: 2, ...params });
  const resolved = caseDevices('tcg', tcgBackend.devices(), net.devices!(p));
  if (!('devices' in resolved)) throw new Error(resolved.skip);
  const provider = createNetworkProvider({ image, mode, stateDir });
  let network: ProvidedNetwork | undefined;
  const setup = await setupCase({
    caseId: `tcg/net/${mode}`,
    slug: `net-${mode}`,
    workload: net,
    devices: resolved.devices,
    image,
    host,
    scratchDir: work,
    network: { open: async (request) => (network = await provider.open(request)) },
  });
  try {
    const outcome = await runRepetition({
      backend: tcgBackend,
      host: network!.host,
      image,
      workload: net,
      params: p,
      vcpus: 1,
      memoryMiB: 256,
      timeoutSec: 150,
      name: `net-${mode}`,
      setup,
    });
    return { outcome, network: network!, dims: setup.dims, peerLog: network!.peerLog() };
  } finally {
    await setup.release();
  }
}

function expectGone(network: Network): void {
  expect(namespaces()).not.toContain(network.name);
  for (const peer of network.peers) expect(isRunning(peer.pid), `peer ${peer.name}`).toBe(false);
  expect(readdirSync(stateDir)).toEqual([]);
  expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).not.toContain('hvb-tap0');
}

function values(outcome: Awaited<ReturnType<typeof runNetCase>>['outcome']): Record<string, number> {
  return Object.fromEntries(outcome.values.map((v) => [v.metric, v.value]));
}

describe.skipIf(!root)('guest network: namespace, tap and peers, with a real TCG guest', () => {
  beforeAll(async () => {
    image = await netImage();
    work = await mkdtemp(join(tmpdir(), 'hvb-net-int-'));
    stateDir = join(work, 'state');
  }, IMAGE_BUILD_TIMEOUT_MS);
  afterEach(async () => {
    await killAllVms('test finished');
    await closeAllNetworks();
    expect(liveNetworks.size).toBe(0);
  });
  afterAll(async () => {
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it("virtio-net on a tap: iperf3 both ways and sockperf against the image's own peers, then nothing left", { timeout: 200_000 }, async () => {
    const { outcome, network, dims, peerLog } = await runNetCase('tap', { io: 'paravirtual' });
    expect(outcome.error, outcome.guestLog.slice(-20).join('\n') + peerLog).toBeUndefined();
    expect(outcome.status).toBe('completed');
    expect(outcome.dims).toMatchObject({ nic_driver: 'virtio_net' });
    expect(dims).toMatchObject({ net_attach: 'tap', nic_model: 'virtio-net', io: 'paravirtual' });
    expect(network.netns).toMatch(/^hvb-\d+-\d+-[0-9a-f]{4}$/);
    const v = values(outcome);
    // TCG moves a few hundred Mbit/s to a few Gbit/s here; a round trip takes 50 µs to 50 ms.
    for (const m of ['net.tx_gbit_s', 'net.rx_gbit_s']) expect(v[m], m).toBeGreaterThan(0.01);
    for (const m of ['net.tx_gbit_s', 'net.rx_gbit_s']) expect(v[m], m).toBeLessThan(100);
    expect(v['net.rr_latency_p50_us']).toBeGreaterThan(20);
    expect(v['net.rr_latency_p99_us']).toBeGreaterThanOrEqual(v['net.rr_latency_p50_us']!);
    expect(v['net.rr_latency_avg_us']).toBeLessThan(50_000);
    expect(network.peers.map((p) => p.name)).toEqual(['iperf3', 'sockperf-udp', 'sockperf-tcp']);
    expectGone(network);
  });

  it('emulated e1000 on a tap, TCP ping-pong: bound by e1000', { timeout: 200_000 }, async () => {
    const { outcome, network, dims } = await runNetCase('tap', { io: 'emulated', rrProtocol: 'tcp' });
    expect(outcome.error, outcome.guestLog.slice(-20).join('\n')).toBeUndefined();
    expect(outcome.dims).toMatchObject({ nic_driver: 'e1000' });
    expect(dims).toMatchObject({ net_attach: 'tap', nic_model: 'e1000', io: 'emulated' });
    const v = values(outcome);
    expect(v['net.tx_gbit_s']).toBeGreaterThan(0.01);
    expect(v['net.rx_gbit_s']).toBeGreaterThan(0.01);
    expect(v['net.rr_latency_p50_us']).toBeGreaterThan(20);
    expectGone(network);
  });

  it('user-mode networking (slirp) with peers on the loopback, labelled net_attach=user', { timeout: 200_000 }, async () => {
    const { outcome, network, dims } = await runNetCase('user', { io: 'paravirtual' });
    expect(outcome.error, outcome.guestLog.slice(-20).join('\n')).toBeUndefined();
    expect(dims).toMatchObject({ net_attach: 'user', nic_model: 'virtio-net' });
    expect(network.netns).toBeUndefined();
    expect(network.endpoint.peer).toBe('10.0.2.2');
    expect(values(outcome)['net.rx_gbit_s']).toBeGreaterThan(0.001);
    expectGone(network);
  });

  it('closeAllNetworksSync() (the exit hook) removes namespace, peers and state at once', { timeout: 60_000 }, async () => {
    const network = await openNetwork({ image, mode: 'tap', stateDir });
    expect(namespaces()).toContain(network.name);
    expect(liveNetworks.size).toBe(1);
    closeAllNetworksSync();
    expect(liveNetworks.size).toBe(0);
    await sleep(200);
    expectGone(network);
  });

  it.each(['tap', 'user'] as const)('cleanLeftovers() removes what a SIGKILLed process left (%s)', { timeout: 60_000 }, async (mode) => {
    const imageFile = join(work, 'image.json');
    await writeFile(imageFile, JSON.stringify(image));
    // The child opens a network, says what it made, and waits to be killed.
    const script = `
      const { openNetwork } = await import(${JSON.stringify(`${REPO}src/network/netns-plumbing.ts`)});
      const image = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(imageFile)}, 'utf8'));
      const n = await openNetwork({ image, mode: ${JSON.stringify(mode)}, stateDir: ${JSON.stringify(stateDir)} });
      console.log(JSON.stringify({ name: n.name, netns: n.netns, peers: n.peers.map((p) => p.pid) }));
      setInterval(() => {}, 1000);`;
    const child = execa('node', ['--import', 'tsx', '--input-type=commonjs', '-e', `(async () => {${script}})()`], { cwd: REPO, reject: false });
    let line = '';
    child.stdout?.on('data', (chunk: Buffer) => (line += chunk.toString()));
    for (let i = 0; i < 300 && !line.includes('\n'); i++) await sleep(100);
    const made = JSON.parse(line) as { name: string; netns?: string; peers: number[] };
    child.kill('SIGKILL');
    await child;

    expect(made.peers).toHaveLength(3);
    for (const pid of made.peers) expect(isRunning(pid)).toBe(true);
    if (mode === 'tap') expect(namespaces()).toContain(made.name);
    expect(readdirSync(stateDir)).toEqual([`${made.name}.json`]);

    const report = await cleanLeftovers({ stateDir });
    expect(report.problems).toEqual([]);
    expect(report.removed.map((l) => l.name)).toContain(made.name);
    await sleep(200);
    for (const pid of made.peers) expect(isRunning(pid)).toBe(false);
    expect(namespaces()).not.toContain(made.name);
    expect(readdirSync(stateDir)).toEqual([]);
    // A second pass finds nothing of ours.
    expect((await cleanLeftovers({ stateDir })).removed.map((l) => l.name)).not.toContain(made.name);
  });
});
