import { createServer } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { networkName, ownerAlive, parseNetworkName, selfOwner } from '../../src/network/netns-owner.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { startPeer } from '../../src/network/peer-server.ts';
import { freeLoopbackPort } from '../../src/network/peer-set.ts';
import { isRunning } from '../backends/fixtures/proc-scan.ts';
import { parseProcNet, servesOn, socketInodes } from '../../src/network/peer-sockets.ts';
import { readNetworkStates, removeNetworkState, writeNetworkState } from '../../src/network/peer-state.ts';

// Lines as Linux 6.x prints them: /proc/net/tcp of a namespace with iperf3 listening on
// 10.213.0.1:5201, and a loopback connection; /proc/net/udp with sockperf on 11111.
const PROC_NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100D50A:1451 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 79999 1 000000007bf86ee6 100 0 0 10 0
   1: 0100007F:EA12 0100007F:9AEF 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000000069243e06
`;
const PROC_NET_UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 4848: 0100D50A:2B67 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 80003 2 00000000e3e1aaad 0
`;
describe('peer sockets', () => {
  it('reads addresses, ports, states and inodes from /proc/net/tcp and udp', () => {
    expect(parseProcNet(PROC_NET_TCP)).toEqual([
      { address: '10.213.0.1', port: 5201, state: 0x0a, inode: 79999 },
      { address: '127.0.0.1', port: 59922, state: 0x06, inode: 0 },
    ]);
    expect(parseProcNet(PROC_NET_UDP)).toEqual([{ address: '10.213.0.1', port: 11111, state: 0x07, inode: 80003 }]);
    expect(parseProcNet('')).toEqual([]);
  });

  it('collects socket inodes from fd link targets', () => {
    expect([...socketInodes(['socket:[79999]', '/dev/null', 'pipe:[12]', 'socket:[5]'])]).toEqual([79999, 5]);
  });

  it('sees a server socket only when the process itself holds it', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await servesOn(process.pid, 'tcp', '127.0.0.1', port)).toBe(true);
      expect(await servesOn(process.pid, 'udp', '127.0.0.1', port)).toBe(false);
      expect(await servesOn(process.ppid, 'tcp', '127.0.0.1', port)).toBe(false);
      expect(await servesOn(2 ** 22 + 1, 'tcp', '127.0.0.1', port)).toBe(false);
    } finally {
      server.close();
    }
  });

  it('finds a free loopback port', async () => {
    const port = await freeLoopbackPort();
    expect(port).toBeGreaterThan(1023);
    expect(port).toBeLessThan(65536);
  });
});

describe('starting a peer', () => {
  const host = new LocalHost();

  it('resolves once the process itself serves on its port, and stop() ends it', async () => {
    const port = await freeLoopbackPort();
    const script = `require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('listening'))`;
    const spawned: number[] = [];
    const peer = await startPeer(host, { name: 'test-peer', argv: ['node', '-e', script], listen: { proto: 'tcp', address: '127.0.0.1', port } }, async (p) => {
      spawned.push(p.pid);
    });
    expect(spawned).toEqual([peer.pid]);
    expect(peer.start).toBeGreaterThan(0);
    expect(isRunning(peer.pid)).toBe(true);
    await peer.stop();
    expect(peer.exited).toBe(true);
    expect(isRunning(peer.pid)).toBe(false);
  });

  it('fails with what the peer said when it exits before serving', async () => {
    const argv = ['sh', '-c', 'echo "iperf3: error - unable to start listener for connections: Address already in use" >&2; exit 1'];
    await expect(startPeer(host, { name: 'iperf3', argv, listen: { proto: 'tcp', address: '127.0.0.1', port: 9 } })).rejects.toMatchObject({
      code: 'peer-start',
      message: expect.stringMatching(/peer iperf3 did not start serving: it exited \(exit code 1\); it said: .*Address already in use/),
    });
  });
});

describe('network owners and names', () => {
  it('writes the owner into the namespace name and reads it back; other names are not ours', () => {
    const name = networkName({ pid: 4242, start: 900100 }, 'a1b2');
    expect(name).toBe('hvb-4242-900100-a1b2');
    expect(parseNetworkName(name)).toEqual({ pid: 4242, start: 900100 });
    expect(networkName(selfOwner())).toMatch(/^hvb-\d+-\d+-[0-9a-f]{4}$/);
    for (const other of ['hvb-mine', 'hvb-1-2', 'hvb-1-2-xyz1', 'blue', 'xhvb-1-2-abcd']) expect(parseNetworkName(other)).toBeUndefined();
  });

  it('knows this process is alive, and that the same pid with another start time is not', () => {
    const me = selfOwner();
    expect(ownerAlive(me)).toBe(true);
    expect(ownerAlive({ ...me, start: me.start + 1 })).toBe(false);
    expect(ownerAlive({ pid: 2 ** 22 + 1, start: 1 })).toBe(false);
  });
});

describe('network state files', () => {
  it('round-trips, skips unreadable files, and removes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvb-netns-state-'));
    try {
      const s = {
        name: 'hvb-1-2-abcd',
        mode: 'tap' as const,
        owner: { pid: 1, start: 2 },
        netns: 'hvb-1-2-abcd',
        peers: [{ name: 'iperf3', pid: 9, start: 3 }],
      };
      await writeNetworkState(dir, s);
      await writeNetworkState(dir, { ...s, name: 'broken', peers: 'no' as never });
      expect(readNetworkStates(dir)).toEqual({ states: [s], unreadable: ['broken.json'] });
      removeNetworkState(dir, s.name);
      expect(await readdir(dir)).toEqual(['broken.json']);
      expect(readNetworkStates(join(dir, 'missing'))).toEqual({ states: [], unreadable: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
