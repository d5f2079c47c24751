import { describe, expect, it } from 'vitest';
import type { ExecResult, Host } from '../../../src/hosts/host.ts';
import { openKvmEvents } from '../../../src/backends/qemu/kvm-events.ts';
import { unusedHostMethods } from '../../support/unused-host-methods.ts';

/** A host with or without KVM's debugfs and perf; it records what it was asked to run. */
function host(has: { debugfs: boolean; perf: boolean }, ran: string[][] = []): Host {
  const answer = (exitCode: number, stdout = ''): ExecResult => ({ exitCode, stdout, stderr: '' });
  return {
    name: 'h1',
    kind: 'remote',
    ...unusedHostMethods,
    async exec(argv) {
      ran.push(argv);
      if (argv[0] === 'test') return answer(has.debugfs ? 0 : 1);
      if (argv[0] === 'perf') return answer(has.perf ? 0 : 127);
      if (argv[0] === 'grep')
        return answer(has.debugfs ? 0 : 2, has.debugfs ? '/sys/kernel/debug/kvm/77-12/exits:5\n/sys/kernel/debug/kvm/77-12/io_exits:2\n' : '');
      return answer(1);
    },
    spawn: () => {
      throw new Error('fake host: no perf recording in this test');
    },
    readFile: async () => '',
    makeTempDir: async () => '/tmp/x',
    removeTree: async () => {},
  };
}

describe("where a KVM VM's events are read", () => {
  it('reads debugfs where it is mounted, and never looks for perf', async () => {
    const ran: string[][] = [];
    const reader = await openKvmEvents(host({ debugfs: true, perf: true }, ran), 77, '/tmp/x');
    await expect(reader.read()).resolves.toEqual({ source: 'kvm-debugfs', counts: { exits: 5, io_exits: 2 } });
    expect(ran.some((a) => a[0] === 'perf')).toBe(false);
  });

  it('says why nothing can be counted without debugfs and without perf, on every read', async () => {
    const reader = await openKvmEvents(host({ debugfs: false, perf: false }), 77, '/tmp/x');
    await expect(reader.read()).rejects.toThrow(
      'no KVM statistics: /sys/kernel/debug/kvm is missing on h1 (debugfs not mounted) and perf is not installed there',
    );
    await expect(reader.read()).rejects.toThrow(/perf is not installed/);
  });

  it('takes the source asked for: debugfs without falling back, perf without looking at debugfs', async () => {
    const reader = await openKvmEvents(host({ debugfs: false, perf: true }), 77, '/tmp/x', 'kvm-debugfs');
    await expect(reader.read()).rejects.toThrow(/debugfs is not mounted/);
    const ran: string[][] = [];
    const perf = await openKvmEvents(host({ debugfs: true, perf: false }, ran), 77, '/tmp/x', 'perf-kvm-stat');
    await expect(perf.read()).rejects.toThrow(/^no KVM statistics: perf is not installed on h1$/);
    expect(ran.map((a) => a[0])).toEqual(['perf']);
  });

  it('leaves the VM running when the perf recording cannot start: each read says why', async () => {
    const reader = await openKvmEvents(host({ debugfs: false, perf: true }), 77, '/tmp/x');
    await expect(reader.read()).rejects.toThrow(/no perf recording in this test/);
  });

  it('leaves the VM running when its host cannot be asked (the connection lost): each read says why', async () => {
    const lost: Host = {
      ...host({ debugfs: true, perf: true }),
      exec: () => Promise.reject(new Error('ssh exited with status 255')),
    };
    const reader = await openKvmEvents(lost, 77, '/tmp/x');
    await expect(reader.read()).rejects.toThrow('ssh exited with status 255');
  });
});
