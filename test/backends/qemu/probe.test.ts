import { describe, expect, it } from 'vitest';
import { createTcgBackend } from '../../../src/backends/qemu/tcg.ts';
import { scriptedHost } from '../fixtures/scripted-host.ts';

const VERSION = 'QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n';
const VIRTIOFSD_VERSION = 'virtiofsd version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nusing FUSE kernel interface version 7.36\n';
const ACCELS = 'Accelerators supported in QEMU binary:\ntcg\nkvm\n';
const greeting = '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": ""}, "capabilities": ["oob"]}}';
const SMOKE_TCG = [
  greeting,
  '{"return": {}}',
  '{"return": {"enabled": false, "present": true}, "id": "kvm"}',
  '{"return": "Translation buffer state:\\r\\ngen code size       0/1073736704\\r\\n", "id": "jit"}',
  '{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}',
  '{"return": {}}',
].join('\r\n');

type Answer = { exitCode: number; stdout?: string; stderr?: string };

function qemuHost(overrides: { smoke?: Answer; accels?: string; ioUring?: Answer } = {}) {
  return scriptedHost((argv) => {
    const args = argv.slice(1).join(' ');
    if (argv[0] === 'sh') return { stdout: '/usr/bin/qemu-system-x86_64\n' };
    if (argv[0] === '/usr/lib/qemu/virtiofsd') return { stdout: VIRTIOFSD_VERSION };
    if (args === '--version') return { stdout: VERSION };
    if (args === '-accel help') return { stdout: overrides.accels ?? ACCELS };
    if (args.includes('aio=io_uring')) return overrides.ioUring ?? { stdout: `${greeting}\r\n{"return": {}}\r\n{"return": {}}\r\n` };
    if (args.includes('-qmp stdio')) return overrides.smoke ?? { stdout: SMOKE_TCG };
    return { exitCode: 1, stderr: `unexpected ${args}` };
  });
}

describe('tcg probe', () => {
  it('is available with the QEMU version and path as facts', async () => {
    const host = qemuHost();
    expect(await createTcgBackend().probe(host)).toEqual({
      backend: 'tcg',
      available: true,
      reason: 'QEMU 7.2.22, TCG accelerator available',
      facts: {
        qemu: '7.2.22',
        qemuPackage: 'Debian 1:7.2+dfsg-7+deb12u18+b3',
        qemuBinary: '/usr/bin/qemu-system-x86_64',
        qemuAccelerators: 'tcg,kvm',
        qemuIoUring: 'yes',
        virtiofsd: '/usr/lib/qemu/virtiofsd',
        virtiofsdVersion: '7.2.22',
      },
    });
    const smoke = host.calls.find((argv) => argv.includes('stdio'));
    expect(smoke).toEqual([
      'qemu-system-x86_64',
      '-machine',
      'none',
      '-accel',
      'tcg',
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-monitor',
      'none',
      '-qmp',
      'stdio',
    ]);
  });

  it('records whether QEMU opens a drive with aio=io_uring, from a board-less QEMU that tries it', async () => {
    const host = qemuHost();
    await createTcgBackend().probe(host);
    expect(host.calls.find((argv) => argv.join(' ').includes('aio=io_uring'))).toEqual([
      'qemu-system-x86_64',
      '-machine',
      'none',
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-monitor',
      'none',
      '-drive',
      'file=/dev/null,if=none,id=probe,format=raw,readonly=on,aio=io_uring',
      '-qmp',
      'stdio',
    ]);
    const refused = {
      exitCode: 1,
      stderr: 'qemu-system-x86_64: -drive file=/dev/null,…,aio=io_uring: Unable to use io_uring: failed to init linux io_uring ring: Operation not permitted\n',
    };
    const capability = await createTcgBackend().probe(qemuHost({ ioUring: refused }));
    // The backend stays available: only cases that ask for io_uring are skipped.
    expect(capability.available).toBe(true);
    expect(capability.facts['qemuIoUring']).toBe(
      'no: qemu-system-x86_64: -drive file=/dev/null,…,aio=io_uring: Unable to use io_uring: failed to init linux io_uring ring: Operation not permitted',
    );
  });

  it('says QEMU is missing and how to install it', async () => {
    const host = scriptedHost(() => ({ exitCode: 127, stderr: 'spawn qemu-system-x86_64 ENOENT\n' }));
    expect(await createTcgBackend().probe(host)).toEqual({
      backend: 'tcg',
      available: false,
      reason: 'qemu-system-x86_64 not found',
      hint: 'install QEMU: apt-get install qemu-system-x86 (Debian/Ubuntu)',
      facts: {},
    });
  });

  it('is not available when TCG is not listed', async () => {
    const capability = await createTcgBackend().probe(qemuHost({ accels: 'Accelerators supported in QEMU binary:\nkvm\n' }));
    expect(capability.available).toBe(false);
    expect(capability.reason).toBe('QEMU 7.2.22 does not list the tcg accelerator (it lists: kvm)');
  });

  it('is not available when QEMU lists TCG but cannot start with it', async () => {
    const smoke = { exitCode: 1, stderr: 'qemu-system-x86_64: -accel tcg: invalid accelerator tcg\n' };
    const capability = await createTcgBackend().probe(qemuHost({ smoke }));
    expect(capability.available).toBe(false);
    expect(capability.reason).toBe('QEMU 7.2.22 lists tcg but did not start with it: qemu-system-x86_64: -accel tcg: invalid accelerator tcg');
    expect(capability.hint).toMatch(/accel-tcg-x86_64\.so/);
    expect(capability.facts['qemu']).toBe('7.2.22');
  });

  it('uses the configured binary', async () => {
    const host = scriptedHost((argv) => (argv[1] === '--version' ? { exitCode: 127 } : {}));
    const capability = await createTcgBackend({ binary: '/opt/qemu/bin/qemu-system-x86_64' }).probe(host);
    expect(capability.reason).toBe('/opt/qemu/bin/qemu-system-x86_64 not found');
    expect(host.calls[0]).toEqual(['/opt/qemu/bin/qemu-system-x86_64', '--version']);
  });
});
