import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeVirtiofsd, sandboxFor, startVirtiofsd, VIRTIOFSD_PATHS, virtiofsdArgv } from '../../../src/backends/qemu/virtiofsd.ts';
import type { ExecResult, Host } from '../../../src/hosts/host.ts';
import { LocalHost } from '../../../src/hosts/local.ts';
import { processesNamed } from '../../support/processes.ts';

/** A host whose `exec` answers from a table by the program's path (127 for anything else). */
function answering(table: Record<string, ExecResult>): Host {
  return {
    exec: async (argv: string[]) => table[argv[0]!] ?? { exitCode: 127, stdout: '', stderr: `${argv[0]}: not found` },
  } as unknown as Host;
}

describe('virtiofsd', () => {
  it('is found at the first known path that answers --version, with its version', async () => {
    const host = answering({
      '/usr/libexec/virtiofsd': { exitCode: 0, stdout: 'virtiofsd 1.10.1\n', stderr: '' },
      '/usr/lib/qemu/virtiofsd': { exitCode: 0, stdout: 'virtiofsd version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright …\n', stderr: '' },
    });
    expect(await probeVirtiofsd(host)).toEqual({ virtiofsd: '/usr/lib/qemu/virtiofsd', virtiofsdVersion: '7.2.22' });
    expect(await probeVirtiofsd(answering({ '/usr/libexec/virtiofsd': { exitCode: 0, stdout: 'virtiofsd 1.10.1\n', stderr: '' } }))).toEqual({
      virtiofsd: '/usr/libexec/virtiofsd',
      virtiofsdVersion: '1.10.1',
    });
  });

  it('says why there is none: none installed, or what the one there said', async () => {
    expect(await probeVirtiofsd(answering({}))).toEqual({ virtiofsd: `no: none of ${VIRTIOFSD_PATHS.join(', ')} exists` });
    const broken = answering({ '/usr/bin/virtiofsd': { exitCode: 1, stdout: '', stderr: 'error while loading shared libraries: libseccomp.so.2\n' } });
    expect(await probeVirtiofsd(broken)).toEqual({ virtiofsd: 'no: /usr/bin/virtiofsd: error while loading shared libraries: libseccomp.so.2' });
  });

  it('shares one folder on a socket in the VM folder, and refuses a folder whose path its option list cannot carry', () => {
    expect(virtiofsdArgv('/usr/lib/qemu/virtiofsd', '/tmp/hvbench-x/virtiofsd.sock', '/srv/fs.share')).toEqual([
      '/usr/lib/qemu/virtiofsd',
      '--socket-path=/tmp/hvbench-x/virtiofsd.sock',
      '-o',
      'source=/srv/fs.share',
      '-o',
      'cache=auto',
    ]);
    expect(() => virtiofsdArgv('/v', '/s.sock', '/srv/a,b')).toThrow(/whose path holds a comma/);
  });

  it('starts on this machine, listens, and is gone after stop()', async (ctx) => {
    const found = await probeVirtiofsd(new LocalHost());
    if (!found['virtiofsd']?.startsWith('/')) return ctx.skip(`no virtiofsd here: ${found['virtiofsd']}`);
    if (process.getuid?.() !== 0) return ctx.skip('virtiofsd (QEMU 7.2) runs as root');
    const dir = await mkdtemp(join(tmpdir(), 'hvb-virtiofsd-'));
    const folder = await mkdtemp(join(tmpdir(), 'hvb-virtiofsd-share-'));
    const before = processesNamed('virtiofsd').length;
    try {
      const daemon = await startVirtiofsd(new LocalHost(), found['virtiofsd'], dir, folder);
      expect(existsSync(daemon.socketPath)).toBe(true);
      expect(processesNamed('virtiofsd').length).toBeGreaterThan(before);
      await daemon.stop();
      await daemon.stop();
      expect(processesNamed('virtiofsd').length).toBe(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(folder, { recursive: true, force: true });
    }
  }, 30_000);
});

describe("virtiofsd's sandbox", () => {
  it('is a chroot where the root is the initramfs (pivot_root is refused there, as in the labs), namespaces elsewhere', () => {
    const initramfs = '1 1 0:2 / / rw - rootfs rootfs rw,size=1470208k\n22 1 0:20 / /proc rw,relatime - proc proc rw\n';
    const disk = '24 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n25 24 0:5 / /dev rw - devtmpfs udev rw\n';
    expect(sandboxFor(initramfs)).toBe('chroot');
    expect(sandboxFor(disk)).toBe('namespace');
    expect(sandboxFor('')).toBe('namespace');
    expect(virtiofsdArgv('/usr/lib/qemu/virtiofsd', '/v/s.sock', '/v/share', 'chroot')).toEqual([
      '/usr/lib/qemu/virtiofsd',
      '--socket-path=/v/s.sock',
      '-o',
      'source=/v/share',
      '-o',
      'cache=auto',
      '-o',
      'sandbox=chroot',
    ]);
    expect(virtiofsdArgv('/usr/lib/qemu/virtiofsd', '/v/s.sock', '/v/share')).not.toContain('sandbox=chroot');
  });
});
