import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canaryCachePath, writeCachedCanary, type CanaryFingerprint } from '../../../src/backends/qemu/kvm-cache.ts';
import { parseCpuVirt, parseDeviceStat } from '../../../src/backends/qemu/kvm-host.ts';
import { probeKvm } from '../../../src/backends/qemu/kvm-probe.ts';
import type { GuestImage } from '../../../src/guest/image.ts';
import type { ExecResult, Host, HostProcess } from '../../../src/hosts/host.ts';
import { unusedHostMethods } from '../../support/unused-host-methods.ts';

/** What a host with a working KVM (kvm_amd) and QEMU 7.2 answers; a test overrides parts. */
interface FakeKvmHost {
  stat: Partial<ExecResult>;
  access: Partial<ExecResult>;
  modules: string;
  cpuinfo: string;
}
const healthy: FakeKvmHost = {
  stat: { exitCode: 0, stdout: 'character special file|crw-rw----|root|kvm\n' },
  access: { exitCode: 0 },
  modules: 'kvm_amd\nkvm\n',
  cpuinfo: 'processor\t: 0\nflags\t\t: fpu vme svm lm\n',
};
const QMP_STDIO = [
  '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}}, "capabilities": ["oob"]}}',
  '{"return": {}}',
  '{"return": {"enabled": true, "present": true}, "id": "kvm"}',
  '{"id": "jit", "error": {"class": "GenericError", "desc": "JIT information is only available with accel=tcg"}}',
  '{"return": {}}',
].join('\n');

/** A host that answers the probe's commands and records every attempt to boot something. */
function fakeHost(over: Partial<FakeKvmHost> = {}): Host & { boots: string[] } {
  const h = { ...healthy, ...over };
  const boots: string[] = [];
  const answer = (argv: string[]): Partial<ExecResult> => {
    const script = argv[0] === 'sh' ? argv[2] : undefined;
    if (argv[0] === 'stat') return { exitCode: 1, stderr: 'no such file', ...h.stat };
    if (script?.includes('for m do')) return { stdout: h.modules };
    if (argv.at(-1) === '/dev/kvm') return { exitCode: 1, ...h.access };
    if (argv.at(-1) === '/dev/vhost-net') return { exitCode: 1 };
    if (argv[0] === 'uname') return { stdout: '6.1.0-28-amd64\n' };
    if (script?.startsWith('command -v')) return { stdout: '/usr/bin/qemu-system-x86_64\n' };
    if (argv[1] === '--version') return { stdout: 'QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n' };
    if (argv[1] === '-accel' && argv[2] === 'help') return { stdout: 'Accelerators supported in QEMU binary:\ntcg\nkvm\n' };
    if (argv.includes('-qmp') && argv.includes('stdio')) return { stdout: QMP_STDIO };
    throw new Error(`unexpected command ${JSON.stringify(argv)}`);
  };
  return {
    name: 'fake',
    kind: 'remote',
    ...unusedHostMethods,
    boots,
    async exec(argv) {
      return { exitCode: 0, stdout: '', stderr: '', ...answer(argv) };
    },
    spawn(argv): HostProcess {
      boots.push(argv.join(' '));
      throw new Error('the fake host cannot boot');
    },
    async readFile(path) {
      if (path === '/proc/cpuinfo') return h.cpuinfo;
      throw new Error(`no ${path}`);
    },
    async makeTempDir(prefix) {
      boots.push(prefix);
      throw new Error('the fake host cannot boot a canary');
    },
    async removeTree() {},
    async putFile(localPath) {
      return localPath;
    },
  };
}

const image = { dir: '/img', kernel: '/img/vmlinuz', initramfs: '/img/initramfs.cpio.gz', hash: '11ea37dfd82b5ece', manifest: {} } as GuestImage;

let cacheDir = '';
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'hvb-kvm-probe-'));
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('kvm host evidence parsers', () => {
  it('reads stat -c "%F|%A|%U|%G" and the cpu flags', () => {
    expect(parseDeviceStat('character special file|crw-------|root|root\n')).toEqual({ charDevice: true, mode: 'crw-------', owner: 'root', group: 'root' });
    expect(parseDeviceStat('regular file|-rw-r--r--|a|b')).toMatchObject({ charDevice: false });
    expect(parseDeviceStat('')).toBeUndefined();
    expect(parseCpuVirt('flags\t\t: fpu vmx ept\n')).toEqual({ virt: 'vmx', hostIsVm: false });
    expect(parseCpuVirt('flags\t\t: fpu sse hypervisor\n')).toEqual({ virt: 'none', hostIsVm: true });
    expect(parseCpuVirt('')).toEqual({ virt: 'unknown', hostIsVm: false });
  });
});

describe('probeKvm from evidence (fake host)', () => {
  it('no /dev/kvm on a VM without nested virtualization: says both, boots nothing', async () => {
    const host = fakeHost({ stat: { exitCode: 1 }, modules: '', cpuinfo: 'flags\t: fpu sse2 hypervisor\n' });
    const { capability } = await probeKvm(host, { cacheDir });
    expect(capability).toMatchObject({
      backend: 'kvm',
      available: false,
      reason: 'no /dev/kvm: no KVM module is loaded, and the host CPU offers no hardware virtualization (no vmx or svm flag; this host is itself a VM)',
      hint: expect.stringMatching(/enable nested virtualization/),
    });
    expect(capability.facts).toMatchObject({ kvmDevice: 'no /dev/kvm', kvmModules: 'none', hostIsVm: 'yes' });
    expect(host.boots).toEqual([]);
  });

  it('/dev/kvm this user cannot open read-write: names mode, owner and group, hints at the group', async () => {
    const host = fakeHost({ access: { exitCode: 1 } });
    const { capability } = await probeKvm(host, { cacheDir });
    expect(capability).toMatchObject({
      available: false,
      reason: '/dev/kvm exists (crw-rw---- root:kvm) but this user cannot open it read-write',
      hint: 'add this user to group kvm and log in again',
    });
  });

  it('without a built image it says so and boots nothing', async () => {
    const host = fakeHost();
    const { capability } = await probeKvm(host, { cacheDir });
    expect(capability.available).toBe(false);
    expect(capability.reason).toMatch(/^KVM present \(kvm_amd; QEMU 7\.2\.22 confirms it over QMP\), but no canary guest could boot: no guest image built yet/);
    expect(capability.hint).toBe('run `hvbench image build`, then `hvbench doctor`');
    expect(capability.facts).toMatchObject({ qemu: '7.2.22', kvmModules: 'kvm_amd,kvm', kvmDevice: '/dev/kvm crw-rw---- root:kvm, read-write' });
    expect(host.boots).toEqual([]);
  });

  it('uses the verdict cached for this host and image, without booting; --recheck boots again', async () => {
    const fingerprint: CanaryFingerprint = {
      host: 'fake',
      hostKernel: '6.1.0-28-amd64',
      kvmModules: 'kvm_amd,kvm',
      qemu: '7.2.22',
      qemuBinary: '/usr/bin/qemu-system-x86_64',
      cpu: 'host',
      machine: 'pc',
      image: image.hash,
    };
    await writeCachedCanary(cacheDir, {
      fingerprint,
      checkedAt: '2026-11-27T10:00:00.000Z',
      verdicts: [
        {
          kind: 'ok',
          detail: 'the canary guest booted to its agent and powered off in 1.3 s',
          cpu: 'host',
          elapsedMs: 1300,
          guest: { hypervisor: 'KVM', clocksource: 'kvm-clock' },
        },
      ],
    });
    const host = fakeHost();
    const cached = await probeKvm(host, { cacheDir }, { image });
    expect(host.boots).toEqual([]);
    expect(cached.cpu).toBe('host');
    expect(cached.capability).toMatchObject({
      available: true,
      reason:
        'QEMU 7.2.22, KVM (kvm_amd): the canary guest booted to its agent and powered off in 1.3 s; the guest sees KVM, clock source kvm-clock [canary of 2026-11-27T10:00:00.000Z, cached]',
    });
    expect(cached.capability.facts).toMatchObject({
      canary: 'ok',
      canaryCached: 'yes',
      cpuModel: 'host',
      guestHypervisor: 'KVM',
      guestClocksource: 'kvm-clock',
      vhostNet: 'no',
    });

    // Another image is another fingerprint: no cached verdict for it.
    const other = fakeHost();
    const fresh = await probeKvm(other, { cacheDir }, { image: { ...image, hash: 'ffffffffffffffff' } });
    expect(other.boots).toHaveLength(1);
    expect(fresh.capability.reason).toMatch(/^KVM present but cannot boot Linux guests: QEMU did not start: the fake host cannot boot a canary/);

    const again = fakeHost();
    const rechecked = await probeKvm(again, { cacheDir }, { image, recheck: true });
    expect(again.boots).toHaveLength(1);
    expect(rechecked.capability).toMatchObject({ available: false, facts: { canary: 'vmm-failed', canaryCached: 'no' } });
    // The recheck replaced the cached verdict.
    expect(await readdir(join(cacheDir, 'kvm-canary'))).toHaveLength(2);
    expect(canaryCachePath(cacheDir, fingerprint)).toMatch(/kvm-canary\/[0-9a-f]{24}\.json$/);
    expect((await probeKvm(fakeHost(), { cacheDir }, { image })).capability.facts).toMatchObject({ canary: 'vmm-failed', canaryCached: 'yes' });
  });
});
