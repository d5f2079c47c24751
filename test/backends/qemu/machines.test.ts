import { describe, expect, it } from 'vitest';
import type { VmSpec } from '../../../src/backends/common/backend.ts';
import { buildQemuArgv, machineFor } from '../../../src/backends/qemu/argv.ts';
import { CURRENT_CLOCKSOURCE, hostTscKhz, parseTscKhz, trustedHostTscKhz } from '../../../src/backends/common/host-tsc.ts';
import { MACHINE_AXIS, QEMU_MACHINES, machineOf } from '../../../src/backends/qemu/machines.ts';
import { tcgBackend } from '../../../src/backends/qemu/tcg.ts';
import { resolveDevice } from '../../../src/devices/capabilities.ts';
import { MODEL_DRIVERS } from '../../../src/devices/drivers.ts';
import { HvbError } from '../../../src/util/errors.ts';
import { scriptedHost } from '../fixtures/scripted-host.ts';

const base: VmSpec = {
  name: 'disk-r1',
  vcpus: 1,
  memoryMiB: 512,
  kernel: '/img/vmlinuz',
  initramfs: '/img/initrd.img',
  cmdline: 'quiet panic=-1 hvb=job',
  disks: [{ id: 'scratch', path: '/scratch/a.img', format: 'raw', model: 'virtio-blk' }],
  nics: [{ id: 'net0', model: 'virtio-net', attach: { kind: 'tap', ifname: 'hvb-tap0' } }],
  console: 'serial',
};
const qmpSocket = '/tmp/hvbench-x/qmp.sock';

function thrown(run: () => unknown): HvbError {
  try {
    run();
  } catch (error) {
    if (error instanceof HvbError) return error;
    throw error;
  }
  throw new Error('expected an HvbError');
}

const valueAfter = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

describe('QEMU machine types', () => {
  it('are the variants of the QEMU backends, pc the implicit one', () => {
    expect(MACHINE_AXIS.values).toEqual(['pc', 'q35', 'microvm']);
    expect(MACHINE_AXIS.implicit).toBe('pc');
    for (const name of MACHINE_AXIS.values) expect(machineOf(name).name).toBe(name);
    expect(machineOf(undefined).name).toBe('pc');
    expect(() => machineOf('isapc')).toThrow('unknown QEMU machine type "isapc"; known: pc, q35, microvm');
    expect(() => machineOf('toString')).toThrow(/unknown QEMU machine type/);
  });

  it("let the spec's variant win over the machine option, which serves specs without one", () => {
    expect(machineFor({}, {}).name).toBe('pc');
    expect(machineFor({}, { machine: 'q35' }).name).toBe('q35');
    expect(machineFor({ variant: 'microvm' }, { machine: 'q35' }).name).toBe('microvm');
  });

  it('each offer only models a guest driver exists for', () => {
    for (const machine of Object.values(QEMU_MACHINES)) {
      for (const model of [...machine.devices.models.disk, ...machine.devices.models.nic])
        expect(MODEL_DRIVERS[model], `${machine.name}: ${model}`).toBeDefined();
    }
  });
});

describe('q35', () => {
  it('boots the same devices as pc on its own board, with AHCI for emulated disks and no IDE', () => {
    const argv = buildQemuArgv({ ...base, variant: 'q35' }, { accel: 'tcg', qmpSocket });
    expect(valueAfter(argv, '-machine')).toBe('q35');
    expect(argv).toContain('virtio-blk-pci,drive=scratch');
    expect(resolveDevice('tcg', tcgBackend.devices('q35'), 'disk', { io: 'emulated' })).toEqual({ ok: true, model: 'ahci', io: 'emulated' });
    expect(resolveDevice('tcg', tcgBackend.devices('q35'), 'disk', { io: 'emulated', device: 'ide' })).toEqual({
      ok: false,
      reason: 'q35 has no IDE controller (its ICH9 south bridge brings AHCI instead); ask for ahci',
    });
    const ide = thrown(() => buildQemuArgv({ ...base, variant: 'q35', disks: [{ ...base.disks[0]!, model: 'ide' }] }, { accel: 'tcg', qmpSocket }));
    expect(ide.code).toBe('unsupported-device');
    expect(ide.message).toBe(
      'disk model "ide" is not available on QEMU machine q35: q35 has no IDE controller (its ICH9 south bridge brings AHCI instead); ask for ahci',
    );
  });
});

describe('microvm', () => {
  it('attaches virtio over MMIO, tells the guest the host TSC rate under TCG, and keeps the console', () => {
    const argv = buildQemuArgv({ ...base, variant: 'microvm' }, { accel: 'tcg', qmpSocket, hostTscKhz: 2_596_152 });
    expect(valueAfter(argv, '-machine')).toBe('microvm,acpi=on,x-option-roms=off,pit=off,pic=off');
    expect(valueAfter(argv, '-append')).toBe('quiet panic=-1 hvb=job pci=off tsc_early_khz=2596152 tsc=reliable console=ttyS0');
    expect(argv.slice(argv.indexOf('-serial'), argv.indexOf('-serial') + 2)).toEqual(['-serial', 'chardev:con0']);
    expect(argv).toContain('virtio-blk-device,drive=scratch');
    expect(argv).toContain('virtio-net-device,netdev=net0');
    expect(argv.join(' ')).not.toMatch(/-pci\b|-bios/);
  });

  it('needs no TSC rate under KVM (kvmclock), and refuses to guess one under TCG', () => {
    expect(QEMU_MACHINES['microvm']!.needsHostTsc?.('kvm')).toBe(false);
    expect(QEMU_MACHINES['microvm']!.needsHostTsc?.('tcg')).toBe(true);
    const kvm = buildQemuArgv({ ...base, variant: 'microvm' }, { accel: 'kvm', qmpSocket });
    expect(valueAfter(kvm, '-append')).toBe('quiet panic=-1 hvb=job pci=off console=ttyS0');
    const tcg = thrown(() => buildQemuArgv({ ...base, variant: 'microvm' }, { accel: 'tcg', qmpSocket }));
    expect(tcg.message).toBe("microvm under TCG needs the host's TSC rate in kHz (a whole number above 0), got undefined");
  });

  it('declares every device it lacks unavailable, with the reason, so such cases are skipped', () => {
    const devices = tcgBackend.devices('microvm');
    expect(resolveDevice('tcg', devices, 'disk', { io: 'paravirtual' })).toEqual({ ok: true, model: 'virtio-blk', io: 'paravirtual' });
    expect(resolveDevice('tcg', devices, 'nic', { io: 'paravirtual' })).toEqual({ ok: true, model: 'virtio-net', io: 'paravirtual' });
    const onlyVirtio = /^microvm has no PCI bus and no disk or network controller of its own: it attaches virtio-mmio devices only/;
    expect(resolveDevice('tcg', devices, 'disk', { io: 'emulated' })).toEqual({ ok: false, reason: expect.stringMatching(onlyVirtio) });
    expect(resolveDevice('tcg', devices, 'nic', { io: 'emulated' })).toEqual({ ok: false, reason: expect.stringMatching(onlyVirtio) });
    for (const device of ['ide', 'ahci', 'nvme']) {
      expect(resolveDevice('tcg', devices, 'disk', { io: 'emulated', device })).toEqual({
        ok: false,
        reason: expect.stringMatching(new RegExp(`^${device} is not available on microvm: microvm has no PCI bus`)),
      });
    }
    for (const device of ['e1000', 'rtl8139']) {
      expect(resolveDevice('tcg', devices, 'nic', { io: 'emulated', device })).toEqual({
        ok: false,
        reason: expect.stringMatching(/^\S+ is not available on microvm/),
      });
    }
    expect(resolveDevice('tcg', devices, 'disk', { io: 'paravirtual', device: 'virtio-scsi' })).toEqual({
      ok: false,
      reason: expect.stringMatching(/^virtio-scsi is not offered on microvm/),
    });
    const nvme = thrown(() =>
      buildQemuArgv({ ...base, variant: 'microvm', disks: [{ ...base.disks[0]!, model: 'nvme' }] }, { accel: 'tcg', qmpSocket, hostTscKhz: 1 }),
    );
    expect(nvme.code).toBe('unsupported-device');
    expect(nvme.message).toMatch(/^disk model "nvme" is not available on QEMU machine microvm: /);
    expect(nvme.hint).toBe('use one of: virtio-blk, or another machine type');
  });
});

describe('parseTscKhz', () => {
  it('reads the rate the host kernel refined, else the one it detected', () => {
    const detected = '[    0.000053] tsc: Detected 2596.152 MHz processor\n';
    const refined = '[    1.234567] tsc: Refined TSC clocksource calibration: 2595.998 MHz\n';
    expect(parseTscKhz(detected)).toBe(2_596_152);
    expect(parseTscKhz(detected + refined)).toBe(2_595_998);
    expect(parseTscKhz('tsc: Detected 3000 MHz TSC\n')).toBe(3_000_000);
    expect(parseTscKhz('tsc: Fast TSC calibration failed\n')).toBeUndefined();
    expect(parseTscKhz('')).toBeUndefined();
  });
});

describe('the TSC words under TCG, on every board', () => {
  it('tell a pc or q35 guest the rate and that its TSC is reliable when the launch knows the rate; KVM guests get neither', () => {
    for (const variant of ['pc', 'q35']) {
      const tcg = buildQemuArgv({ ...base, variant }, { accel: 'tcg', qmpSocket, hostTscKhz: 2_596_152 });
      expect(valueAfter(tcg, '-append')).toBe('quiet panic=-1 hvb=job tsc_early_khz=2596152 tsc=reliable console=ttyS0');
      const unknown = buildQemuArgv({ ...base, variant }, { accel: 'tcg', qmpSocket });
      expect(valueAfter(unknown, '-append')).toBe('quiet panic=-1 hvb=job console=ttyS0');
      const kvm = buildQemuArgv({ ...base, variant }, { accel: 'kvm', qmpSocket, hostTscKhz: 2_596_152 });
      expect(valueAfter(kvm, '-append')).toBe('quiet panic=-1 hvb=job console=ttyS0');
      expect(QEMU_MACHINES[variant]!.needsHostTsc?.('tcg') ?? false).toBe(false);
    }
  });
});

describe('trustedHostTscKhz', () => {
  const host = (name: string, clocksource: string | undefined) => ({
    ...scriptedHost(() => ({ stdout: '[    0.000053] tsc: Detected 2596.152 MHz processor\n' })),
    name,
    readFile: async (path: string) => {
      if (path !== CURRENT_CLOCKSOURCE || clocksource === undefined) throw new Error(`no ${path}`);
      return `${clocksource}\n`;
    },
  });

  it('gives the rate of a host whose own kernel keeps the TSC as its clock, once per host', async () => {
    const h = host('tsc-trusted', 'tsc');
    expect(await trustedHostTscKhz(h)).toBe(2_596_152);
    expect(await trustedHostTscKhz(h)).toBe(2_596_152);
    expect(h.calls).toHaveLength(1);
  });

  it('gives none where the host runs on another clock, or says nothing of its clock: the guest then measures its own', async () => {
    const hpet = host('tsc-hpet', 'hpet');
    expect(await trustedHostTscKhz(hpet)).toBeUndefined();
    expect(hpet.calls).toEqual([]);
    expect(await trustedHostTscKhz(host('tsc-silent', undefined))).toBeUndefined();
    const noRate = { ...host('tsc-no-rate', 'tsc'), ...scriptedHost(() => ({ stdout: '', exitCode: 1 })), name: 'tsc-no-rate' };
    expect(await trustedHostTscKhz({ ...noRate, readFile: async () => 'tsc\n' })).toBeUndefined();
  });
});

describe('hostTscKhz', () => {
  it('reads the host kernel log once per host', async () => {
    const host = { ...scriptedHost(() => ({ stdout: '[    0.000053] tsc: Detected 2596.152 MHz processor\n' })), name: 'tsc-host' };
    expect(await hostTscKhz(host)).toBe(2_596_152);
    expect(await hostTscKhz(host)).toBe(2_596_152);
    expect(host.calls).toHaveLength(1);
    expect(host.calls[0]!.slice(0, 2)).toEqual(['sh', '-c']);
  });

  it('fails with the reason and a way out when the log names no rate', async () => {
    const host = { ...scriptedHost(() => ({ stdout: '', exitCode: 1 })), name: 'quiet-host' };
    await expect(hostTscKhz(host)).rejects.toMatchObject({
      code: 'host-tsc-unknown',
      message: 'cannot read the TSC rate of host quiet-host: its kernel log (dmesg, journalctl -k) has no "tsc: Detected … MHz" line',
      hint: expect.stringMatching(/another machine type than microvm under TCG/),
    });
  });
});
