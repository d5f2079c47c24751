import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAllVms } from '../../src/backends/common/live-vms.ts';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';
import { buildImage } from '../../src/guest/build.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { DEFAULT_RECIPE, TOOLS } from '../../src/guest/recipe.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import type { SshHost } from '../../src/hosts/ssh-host.ts';
import { openNetwork } from '../../src/network/netns-plumbing.ts';
import { staleInSurvey, surveyRemoteNetworks } from '../../src/network/netns-remote-stale.ts';
import { createNetworkProvider } from '../../src/network/netns-provider.ts';
import { closeAllNetworks, closeAllNetworksSync, liveNetworks } from '../../src/network/netns-registry.ts';
import { runSuite, type RunHost } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';
import { startSshHost, type TestSshHost } from '../support/ssh-host.ts';

// A net case on a "remote" host: a private sshd on 127.0.0.1 as root is that host. The
// namespace, its tap and the image's peers are made there over SSH, the TCG guest runs in
// the namespace there, and afterwards nothing of the network is left on it: not at the
// case's end, and not after the synchronous way out (a second Ctrl-C).

const root = process.getuid?.() === 0;
let image: GuestImage;
let ssh: TestSshHost | undefined;
let remote: SshHost;
let out = '';

function netImage(): Promise<GuestImage> {
  const tools = [...new Set([...DEFAULT_RECIPE.tools, TOOLS.iperf3, TOOLS.sockperf])];
  return buildImage({ recipe: { ...DEFAULT_RECIPE, tools }, log: (line) => process.stderr.write(`image: ${line}\n`) });
}

/** This process's networks are named `hvb-<pid>-…`: what of them is on the (same) machine. */
function ours(): { namespaces: string[]; peerRoots: string[]; keepers: number[] } {
  const prefix = `hvb-${process.pid}-`;
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(prefix));
  const peerRoots = readdirSync(tmpdir()).filter((n) => n.startsWith(`hvb-peers-${prefix}`));
  const keepers: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes('hvb-net-keeper') && cmdline.some((w) => w.startsWith(prefix))) keepers.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return { namespaces, peerRoots, keepers };
}

async function expectNothingLeft(withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  let left = ours();
  while ((left.namespaces.length > 0 || left.peerRoots.length > 0 || left.keepers.length > 0) && Date.now() < deadline) {
    await sleep(100);
    left = ours();
  }
  expect(left).toEqual({ namespaces: [], peerRoots: [], keepers: [] });
}

describe.skipIf(!root)('a net case on a remote host: namespace and peers made over SSH', () => {
  beforeAll(async () => {
    image = await netImage();
    ssh = await startSshHost('hvb-net-remote-', { name: 'remote' });
    ({ host: remote, dir: out } = ssh);
  }, IMAGE_BUILD_TIMEOUT_MS);
  afterEach(async () => {
    await killAllVms('test finished');
    await closeAllNetworks();
    expect(liveNetworks.size).toBe(0);
  });
  afterAll(async () => {
    await ssh?.stop();
  });

  it('virtio-net on a tap in a namespace on the remote host: the guest measures against its peers there, then nothing is left', {
    timeout: 300_000,
  }, async () => {
    const hosts: RunHost[] = [{ config: ssh!.sshd.config({ name: 'remote', backends: ['tcg'] }), host: remote }];
    const deps = { workloads, backends: ['tcg'] };
    const suite = resolveSuite(
      { name: 'remote-net', repetitions: 1, timeoutSec: 200, workloads: [{ workload: 'net', params: { timeSec: 2, io: 'paravirtual' } }] },
      deps,
      'netns-remote',
    );
    const { run, samples } = await runSuite({
      suite,
      suiteFile: 'netns-remote',
      cases: expandSuite(suite, deps),
      outDir: out,
      image,
      host: new LocalHost(),
      hosts,
      backends: () => tcgBackend,
      workloads,
      networks: { 'host-netns': createNetworkProvider({ image, stateDir: join(out, 'state') }) },
    });
    const [c] = run.record.cases;
    expect(c, JSON.stringify(run.record.cases)).toMatchObject({ host: 'remote', status: 'completed', repetitionsDone: 1 });
    const byMetric = new Map(samples.map((s) => [s.metric, s]));
    for (const m of ['net.tx_gbit_s', 'net.rx_gbit_s']) expect(byMetric.get(m)?.value, m).toBeGreaterThan(0.01);
    expect(byMetric.get('net.rr_latency_p50_us')?.value).toBeGreaterThan(20);
    // The driver bound is checked as on the local host, and the attachment is the tap's.
    expect(byMetric.get('net.tx_gbit_s')?.dims).toMatchObject({ nic_driver: 'virtio_net', nic_model: 'virtio-net', net_attach: 'tap' });
    await expectNothingLeft(10_000);
    // No state file here: the keeper on the remote host is its recovery.
    expect(existsSync(join(out, 'state')) ? readdirSync(join(out, 'state')) : []).toEqual([]);
  });

  it('the synchronous way out (closeAllNetworksSync) leaves the remote host clean through its keeper', { timeout: 120_000 }, async () => {
    const network = await openNetwork({ image, host: remote });
    expect(network.mode).toBe('tap');
    expect(network.netns).toMatch(/^hvb-\d+-\d+-[0-9a-f]{4}$/);
    expect(network.peers.map((p) => p.name)).toEqual(['iperf3', 'sockperf-udp', 'sockperf-tcp']);
    const before = ours();
    expect(before.namespaces).toEqual([network.name]);
    expect(before.peerRoots).toHaveLength(1);
    expect(before.keepers.length).toBeGreaterThan(0);
    closeAllNetworksSync();
    expect(liveNetworks.size).toBe(0);
    await expectNothingLeft(15_000);
  });

  it('surveys the host for what keepers could not remove: an empty namespace and a peer folder, stale once old by its clock', { timeout: 60_000 }, async () => {
    // Owner pid 1 with start time 1: a name of hvbench's form that no live hvbench has.
    const leftNs = 'hvb-1-1-beef';
    const leftDir = join(tmpdir(), `hvb-peers-${leftNs}-000000000000`);
    execFileSync('ip', ['netns', 'add', leftNs]);
    try {
      mkdirSync(leftDir);
      const survey = await surveyRemoteNetworks(remote);
      expect(survey).toMatch(new RegExp(`^ns ${leftNs} \\d+ 0$`, 'm'));
      expect(survey).toContain(`dir ${leftDir} `);
      // Just made: not stale yet. The same survey 20 minutes later: both are.
      expect(staleInSurvey(survey!)).toEqual({ namespaces: [], peerDirs: [] });
      const [clock, ...rest] = survey!.split('\n');
      const later = staleInSurvey([String(Number(clock) + 1200), ...rest].join('\n'));
      expect(later.namespaces).toContain(leftNs);
      expect(later.peerDirs).toContain(leftDir);
    } finally {
      spawnSync('ip', ['netns', 'del', leftNs], { stdio: 'ignore' });
      rmSync(leftDir, { recursive: true, force: true });
    }
  });

  it('refuses user-mode networking on a remote host, with why', async () => {
    await expect(openNetwork({ image, host: remote, mode: 'user' })).rejects.toThrow(
      /user-mode networking is built on the local machine only; host "remote" is remote/,
    );
  });
});
