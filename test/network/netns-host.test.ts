import { unusedHostMethods } from '../support/unused-host-methods.ts';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Host } from '../../src/hosts/host.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { deleteNetns } from '../../src/network/netns.ts';
import { NetnsHost, netnsExecPrefix, outsideNetns } from '../../src/network/netns-host.ts';
import { networkName, selfOwner } from '../../src/network/netns-owner.ts';

const root = process.getuid?.() === 0;

/** Records the argv of every command instead of running it. */
function recorder(): Host & { argvs: string[][] } {
  const argvs: string[][] = [];
  return {
    name: 'bench-1',
    kind: 'local',
    ...unusedHostMethods,
    argvs,
    exec: async (argv) => {
      argvs.push(argv);
      return { exitCode: 0, stdout: '', stderr: '' };
    },
    spawn: (argv) => {
      argvs.push(argv);
      return undefined as never;
    },
    readFile: async (path) => `read ${path}`,
    makeTempDir: async (prefix) => `/t/${prefix}`,
    removeTree: async () => {},
  };
}

describe('NetnsHost', () => {
  it("on another host, ip is run by its path (a busybox login shell would run its own ip applet, which has no netns); pids stay the program's", async () => {
    const inner = { ...recorder(), kind: 'remote' as const };
    const host = new NetnsHost(inner, 'hvb-1-2-abcd');
    host.spawn(['iperf3', '-s']);
    const [argv] = inner.argvs;
    expect(argv?.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv?.[2]).toMatch(/exec "\$p" "\$@"/);
    expect(argv?.slice(3)).toEqual(['ip', 'netns', 'exec', 'hvb-1-2-abcd', 'iperf3', '-s']);
  });

  it("runs every command through ip netns exec, as an argument list; files stay the inner host's", async () => {
    const inner = recorder();
    const host = new NetnsHost(inner, 'hvb-1-2-abcd');
    expect([host.name, host.kind]).toEqual(['bench-1', 'local']);
    await host.exec(['qemu-system-x86_64', '-name', 'a b; rm -rf /']);
    host.spawn(['iperf3', '-s']);
    expect(inner.argvs).toEqual([
      ['ip', 'netns', 'exec', 'hvb-1-2-abcd', 'qemu-system-x86_64', '-name', 'a b; rm -rf /'],
      ['ip', 'netns', 'exec', 'hvb-1-2-abcd', 'iperf3', '-s'],
    ]);
    expect(await host.readFile('/proc/1/stat')).toBe('read /proc/1/stat');
    expect(await host.makeTempDir('x-')).toBe('/t/x-');
  });

  it('gives the machine outside every namespace for what a namespace hides (its /sys has no debugfs)', () => {
    const machine = recorder();
    expect(outsideNetns(new NetnsHost(new NetnsHost(machine, 'a'), 'b'))).toBe(machine);
    expect(outsideNetns(machine)).toBe(machine);
  });

  it('refuses namespace names ip would read as something else, and empty commands', () => {
    expect(() => netnsExecPrefix('-n')).toThrow(/not valid/);
    expect(() => netnsExecPrefix('a/b')).toThrow(/not valid/);
    expect(() => netnsExecPrefix('')).toThrow(/not valid/);
    expect(() => new NetnsHost(recorder(), 'ok').spawn([])).toThrow(/empty command/);
  });

  it.skipIf(!root)('keeps the pid: the spawned process is the program itself, inside the namespace', async () => {
    const local = new LocalHost();
    const ns = networkName(selfOwner());
    execFileSync('ip', ['netns', 'add', ns]);
    try {
      const child = new NetnsHost(local, ns).spawn(['sleep', '5'], { detached: true });
      await new Promise((r) => setTimeout(r, 300));
      const pid = child.pid!;
      expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('sleep');
      expect(execFileSync('ip', ['netns', 'identify', String(pid)], { encoding: 'utf8' }).trim()).toBe(ns);
      child.kill('SIGKILL');
      await child.exited;
    } finally {
      await deleteNetns(local, ns);
    }
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(ns);
  });
});
