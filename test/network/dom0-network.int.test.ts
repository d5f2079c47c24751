import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestImage } from '../../src/guest/image.ts';
import { openDom0Network } from '../../src/network/dom0-network.ts';
import type { Host, SpawnOptions } from '../../src/hosts/host.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { NetnsHost } from '../../src/network/netns-host.ts';
import { liveNetworks } from '../../src/network/netns-registry.ts';
import { preparePeerRoot } from '../../src/network/peer-root.ts';
import { parseProcNet } from '../../src/network/peer-sockets.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

// The network hvbench makes in a Xen dom0 for a case (a bridge of its own, the image's
// iperf3 and sockperf on it), made for real as root in a network namespace the test
// creates, which stands in for the dom0: every command goes through the same Host
// interface the SSH host implements. The Xen lab test runs it in a real dom0 with a guest.
const root = process.getuid?.() === 0;
const ns = `hvb-dom0t-${randomBytes(3).toString('hex')}`;
let image: GuestImage;
let work = '';

const inNs = (...argv: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8' });
const links = () => execFileSync('ip', ['-n', ns, '-o', 'link', 'show'], { encoding: 'utf8' });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  if (!root) return;
  image = await guestImage();
  work = await mkdtemp(join(tmpdir(), 'hvb-dom0-net-'));
  execFileSync('ip', ['netns', 'add', ns]);
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
}, IMAGE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  if (!root) return;
  execFileSync('ip', ['netns', 'delete', ns]);
  await rm(work, { recursive: true, force: true });
});

describe.skipIf(!root)('a dom0 network (in a namespace standing in for dom0)', () => {
  it('makes a bridge with the peers on it, removes a stale bridge of an earlier run, and leaves nothing on close', { timeout: 120_000 }, async () => {
    // What a killed run leaves: an hvbench bridge whose peers are gone, unmarked (an older
    // hvbench) or marked 11 minutes ago. And another run's bridge made a moment ago, whose
    // peers are not listening yet: it stays.
    const bridge = (name: string, cidr: string, mark?: string) => {
      execFileSync('ip', ['-n', ns, 'link', 'add', 'name', name, 'type', 'bridge']);
      execFileSync('ip', ['-n', ns, 'addr', 'add', cidr, 'dev', name]);
      if (mark !== undefined) execFileSync('ip', ['-n', ns, 'link', 'set', 'dev', name, 'alias', mark]);
    };
    const now = Math.floor(Date.now() / 1000);
    bridge('hvbbr-dead00', '10.214.7.1/30');
    bridge('hvbbr-dead01', '10.214.7.5/30', `hvbench-${now - 660}`);
    bridge('hvbbr-a11be0', '10.214.7.9/30', `hvbench-${now - 5}`);
    const said: string[] = [];
    const dom0 = new NetnsHost(new LocalHost(), ns);
    const net = await openDom0Network(dom0, { image, log: (l) => said.push(l) });
    try {
      expect(said.join('\n')).toMatch(/removed 2 bridge\(s\) left in dom0 .*: hvbbr-dead00, hvbbr-dead01$/);
      expect(links()).not.toMatch(/hvbbr-dead0/);
      expect(links()).toContain('hvbbr-a11be0:');
      execFileSync('ip', ['-n', ns, 'link', 'del', 'hvbbr-a11be0']);
      // Its own bridge carries the dom0's clock as its mark.
      expect(
        Number(
          inNs('cat', `/sys/class/net/${net.bridge}/ifalias`)
            .trim()
            .replace(/^hvbench-/, ''),
        ),
      ).toBeGreaterThanOrEqual(now - 5);
      expect(net.attach).toEqual({ kind: 'bridge', bridge: net.bridge });
      expect(net.dims).toEqual({ net_attach: 'bridge' });
      expect(net.endpoint).toMatchObject({
        mode: 'bridge',
        guestCidr: expect.stringMatching(/^10\.214\.\d+\.\d+\/30$/),
        ports: { iperf3: 5201, sockperfUdp: 11111, sockperfTcp: 11112 },
      });
      expect(links()).toContain(`${net.bridge}:`);
      expect(inNs('ip', '-o', '-4', 'addr', 'show', 'dev', net.bridge)).toContain(`inet ${net.endpoint.peer}/30`);
      const tcp = parseProcNet(inNs('cat', '/proc/net/tcp'))
        .filter((s) => s.address === net.endpoint.peer && s.state === 0x0a)
        .map((s) => s.port);
      const udp = parseProcNet(inNs('cat', '/proc/net/udp'))
        .filter((s) => s.address === net.endpoint.peer)
        .map((s) => s.port);
      expect(tcp.sort((a, b) => a - b)).toEqual([5201, 11112]);
      expect(udp).toEqual([11111]);
      expect([...liveNetworks].map((n) => n.name)).toContain(`${dom0.name}:${net.bridge}`);

      // A real client (the image's own iperf3) in the same namespace reaches the peer.
      const peerRoot = await preparePeerRoot(image, await mkdtemp(join(work, 'client-')));
      const client = await execa('ip', ['netns', 'exec', ns, ...peerRoot.argv('iperf3', ['-c', net.endpoint.peer, '-p', '5201', '-t', '1', '-J'])], {
        reject: false,
        timeout: 60_000,
      });
      expect(client.exitCode, client.stderr).toBe(0);
      expect((JSON.parse(client.stdout) as { end: { sum_received: { bytes: number } } }).end.sum_received.bytes).toBeGreaterThan(0);
      expect(net.peerLog()).toMatch(/--- peer iperf3 in dom0 \(pid \d+\) ---\n[\s\S]*Server listening on 5201/);
    } finally {
      const pids = [...net.peerLog().matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
      expect(pids).toHaveLength(3);
      await net.close();
      expect(links()).not.toMatch(/hvbbr-/);
      for (const pid of pids) expect(alive(pid), `peer ${pid}`).toBe(false);
      expect([...liveNetworks].map((n) => n.name)).not.toContain(`${dom0.name}:${net.bridge}`);
    }
  });

  it('a peer that cannot start: the error names it, and the bridge and the peers already started are gone', { timeout: 120_000 }, async () => {
    const inner = new NetnsHost(new LocalHost(), ns);
    // The TCP sockperf exits at once (its program replaced by `false`); the bridge and the
    // two peers before it are real.
    const dom0: Host = Object.assign(Object.create(inner) as NetnsHost, {
      spawn: (argv: string[], options?: SpawnOptions) =>
        inner.spawn(argv.includes('--tcp') ? [...argv.slice(0, argv.indexOf('hvb-peer') + 1), 'false'] : argv, options),
    });
    const opened = await openDom0Network(dom0, { image }).catch((e: unknown) => e);
    if (!(opened instanceof Error)) await (opened as { close(): Promise<void> }).close();
    expect(opened).toBeInstanceOf(Error);
    expect((opened as Error).message).toMatch(/^peer sockperf-tcp in dom0 of .* did not start serving: it exited \(exit code 1\)/);
    expect(links()).not.toMatch(/hvbbr-/);
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toMatch(/hvb-peers-.*(iperf3|sockperf)/);
    expect(execFileSync('ls', [tmpdir()], { encoding: 'utf8' })).not.toMatch(/hvb-peers-/);
  });
});
