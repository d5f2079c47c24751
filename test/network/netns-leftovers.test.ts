import { unusedHostMethods } from '../support/unused-host-methods.ts';
import { mkdtemp, readdir, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecResult, Host } from '../../src/hosts/host.ts';
import { parseNetnsList, parsePids } from '../../src/network/netns.ts';
import { cleanLeftovers, findLeftovers } from '../../src/network/netns-leftovers.ts';
import type { Owner } from '../../src/network/netns-owner.ts';
import { writeNetworkState, type NetworkState } from '../../src/network/peer-state.ts';

// `ip netns list` as iproute2 6.1 prints it: a name per line, with `(id: N)` once the
// namespace has an id in the current one. `ip netns pids` prints one pid per line.
const IP_NETNS_LIST = 'hvb-4242-900100-a1b2 (id: 1)\nhvb-5151-900200-c3d4\nhvb-mine\nblue (id: 0)\nhvb-6000-900300-e5f6\n';

const DEAD: Owner[] = [
  { pid: 4242, start: 900100 },
  { pid: 5151, start: 900200 },
];
const alive = (o: Owner) => !DEAD.some((d) => d.pid === o.pid && d.start === o.start);

/** Answers `ip` like a machine with the namespaces above; records every command. */
function fakeIp(pids: Record<string, string> = {}): Host & { calls: string[] } {
  const calls: string[] = [];
  const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
  return {
    name: 'fake',
    kind: 'local',
    ...unusedHostMethods,
    calls,
    async exec(argv) {
      calls.push(argv.join(' '));
      const [, a, b, name] = argv;
      if (a === 'netns' && b === 'list') return ok(IP_NETNS_LIST);
      if (a === 'netns' && b === 'pids') return ok(pids[name ?? ''] ?? '');
      if (a === 'netns' && b === 'del') return ok();
      return { exitCode: 1, stdout: '', stderr: 'unexpected' };
    },
    spawn: () => {
      throw new Error('not used');
    },
    readFile: async () => '',
    makeTempDir: async () => '',
    removeTree: async () => {},
  };
}

const state = (pid: number, start: number, extra: Partial<NetworkState> = {}): NetworkState => ({
  name: `hvb-${pid}-${start}-0000`,
  mode: 'user',
  owner: { pid, start },
  peers: [],
  ...extra,
});

describe('leftover detection', () => {
  it('parses ip netns list and pids output', () => {
    expect(parseNetnsList(IP_NETNS_LIST)).toEqual(['hvb-4242-900100-a1b2', 'hvb-5151-900200-c3d4', 'hvb-mine', 'blue', 'hvb-6000-900300-e5f6']);
    expect(parseNetnsList('')).toEqual([]);
    expect(parsePids('1092\n1100\n')).toEqual([1092, 1100]);
    expect(parsePids('')).toEqual([]);
  });

  it("finds hvbench's namespaces whose owner is gone, and leaves others' and live ones alone", () => {
    const found = findLeftovers(parseNetnsList(IP_NETNS_LIST), [], alive);
    expect(found.map((l) => [l.name, l.netns, l.hasState])).toEqual([
      ['hvb-4242-900100-a1b2', 'hvb-4242-900100-a1b2', false],
      ['hvb-5151-900200-c3d4', 'hvb-5151-900200-c3d4', false],
    ]);
  });

  it('finds user-mode peers through state files, and a namespace already gone is not deleted again', () => {
    const user = state(4242, 900100, { name: 'hvb-4242-900100-9999', peers: [{ name: 'iperf3', pid: 77, start: 5 }] });
    const tapGone = state(5151, 900200, { name: 'hvb-5151-900200-0001', mode: 'tap', netns: 'hvb-5151-900200-0001' });
    const live = state(6000, 900300);
    const found = findLeftovers([], [user, tapGone, live], alive);
    expect(found.map((l) => [l.name, l.netns, l.peers.length, l.hasState])).toEqual([
      ['hvb-4242-900100-9999', undefined, 1, true],
      ['hvb-5151-900200-0001', undefined, 0, true],
    ]);
  });

  it("never takes a peer root outside hvbench's own temporary folders from a state file", () => {
    const odd = state(4242, 900100, { tempDir: '/home/someone' });
    const ours = state(5151, 900200, { tempDir: '/tmp/hvb-peers-abc123' });
    expect(findLeftovers([], [odd, ours], alive).map((l) => l.tempDir)).toEqual([undefined, '/tmp/hvb-peers-abc123']);
  });
});

describe('cleanLeftovers', () => {
  let stateDir = '';
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'hvb-netns-state-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it("kills what is left in a dead owner's namespace, deletes it, and removes the state files", async () => {
    const ip = fakeIp({ 'hvb-4242-900100-a1b2': '3001\n3002\n' });
    const peerRoot = join(stateDir, 'hvb-peers-x');
    await mkdir(peerRoot);
    await writeNetworkState(stateDir, state(5151, 900200, { name: 'hvb-5151-900200-c3d4', mode: 'tap', netns: 'hvb-5151-900200-c3d4', tempDir: peerRoot }));
    await writeNetworkState(
      stateDir,
      state(4242, 900100, {
        name: 'hvb-4242-900100-beef',
        peers: [
          { name: 'iperf3', pid: 4001, start: 11 },
          { name: 'sockperf-udp', pid: 4002, start: 12 },
        ],
      }),
    );
    await writeNetworkState(stateDir, state(6000, 900300));
    const killed: number[] = [];
    // 4002 was reused by another process since (another start time): it must survive.
    const startOf = (pid: number) => ({ 4001: 11, 4002: 99 })[pid];

    const report = await cleanLeftovers({ host: ip, stateDir, alive, startOf, kill: (pid) => killed.push(pid) });

    expect(report.problems).toEqual([]);
    expect(report.removed.map((l) => l.name)).toEqual(['hvb-4242-900100-a1b2', 'hvb-4242-900100-beef', 'hvb-5151-900200-c3d4']);
    expect(killed).toEqual([3001, 3002, 4001]);
    expect(ip.calls.filter((c) => c.includes(' del '))).toEqual(['ip netns del hvb-4242-900100-a1b2', 'ip netns del hvb-5151-900200-c3d4']);
    expect(ip.calls).not.toContain('ip netns del hvb-6000-900300-e5f6');
    expect(ip.calls).not.toContain('ip netns del hvb-mine');
    expect(await readdir(stateDir)).toEqual(['hvb-6000-900300-0000.json']);
  });

  it('reports a namespace it cannot delete instead of throwing', async () => {
    const ip = fakeIp();
    ip.exec = async (argv) => {
      ip.calls.push(argv.join(' '));
      if (argv[2] === 'list') return { exitCode: 0, stdout: 'hvb-4242-900100-a1b2\n', stderr: '' };
      if (argv[2] === 'del')
        return { exitCode: 1, stdout: '', stderr: 'Cannot remove namespace file "/run/netns/hvb-4242-900100-a1b2": Operation not permitted' };
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    const report = await cleanLeftovers({ host: ip, stateDir, alive, kill: () => {} });
    expect(report.removed).toEqual([]);
    expect(report.problems).toEqual([expect.stringMatching(/^hvb-4242-900100-a1b2: removing network namespace .* Operation not permitted/)]);
  });
});
