import { describe, expect, it } from 'vitest';
import type { NicSpec, VmSpec } from '../../../src/backends/common/backend.ts';
import { cpuFallback, KVM_DEFAULT_CPU } from '../../../src/backends/qemu/kvm-cpu.ts';
import { checkKvmGuest } from '../../../src/backends/qemu/kvm-guest.ts';
import { kvmBackend, kvmChoices, vhostFor } from '../../../src/backends/qemu/kvm.ts';
import { buildQemuArgv } from '../../../src/backends/qemu/argv.ts';

const qmpSocket = '/tmp/hvbench-x/qmp.sock';
const tap = (id: string, model: string): NicSpec => ({ id, model, attach: { kind: 'tap', ifname: `hvb-${id}` } });
const spec: VmSpec = {
  name: 'net-r1',
  vcpus: 2,
  memoryMiB: 512,
  kernel: '/img/vmlinuz',
  initramfs: '/img/initrd.img',
  cmdline: 'quiet panic=-1 hvb.job=abc',
  disks: [{ id: 'vd0', path: '/scratch/a.img', format: 'raw', model: 'virtio-blk' }],
  nics: [tap('net0', 'virtio-net')],
  console: 'serial',
};

/** The argv the kvm backend compiles, given what its probe found on the host. */
function kvmArgv(vm: VmSpec, host: { cpu: string; vhostNet: boolean }): string[] {
  const kvm = kvmChoices(vm, host);
  return buildQemuArgv(vm, { accel: 'kvm', qmpSocket, cpu: kvm.cpu, vhostNet: kvm.vhostNet });
}

/** Positions where two argvs of equal length differ, as [tcg, kvm] pairs. */
function differences(a: string[], b: string[]): [string, string][] {
  expect(a.length).toBe(b.length);
  return a.flatMap((word, i) => (word === b[i] ? [] : [[word, b[i]!] as [string, string]]));
}

describe('kvm argv: the same VmSpec as tcg, different only where it must be', () => {
  it('without vhost-net: only the accelerator and the CPU model differ', () => {
    const tcg = buildQemuArgv(spec, { accel: 'tcg', qmpSocket });
    const kvm = kvmArgv(spec, { cpu: KVM_DEFAULT_CPU, vhostNet: false });
    expect(differences(tcg, kvm)).toEqual([
      ['tcg,thread=multi', 'kvm'],
      ['qemu64', 'host'],
    ]);
  });

  it('with /dev/vhost-net on the host: a virtio-net NIC on a tap gets vhost=on, and nothing else changes', () => {
    const tcg = buildQemuArgv(spec, { accel: 'tcg', qmpSocket });
    const kvm = kvmArgv(spec, { cpu: 'host,-arch-capabilities', vhostNet: true });
    expect(differences(tcg, kvm)).toEqual([
      ['tcg,thread=multi', 'kvm'],
      ['qemu64', 'host,-arch-capabilities'],
      ['tap,id=net0,ifname=hvb-net0,script=no,downscript=no', 'tap,id=net0,ifname=hvb-net0,script=no,downscript=no,vhost=on'],
    ]);
    expect(kvmChoices(spec, { cpu: 'host', vhostNet: true }).dims).toEqual({ cpu_model: 'host', vhost_net: true });
  });

  it('vhost-net is never asked for emulated NICs or user-mode networking, and the dimension says so', () => {
    const vm: VmSpec = { ...spec, nics: [tap('net0', 'e1000'), { id: 'net1', model: 'virtio-net', attach: { kind: 'user' } }] };
    const argv = kvmArgv(vm, { cpu: 'host', vhostNet: true });
    expect(argv.filter((w) => w.includes('vhost'))).toEqual([]);
    expect(kvmChoices(vm, { cpu: 'host', vhostNet: true }).dims).toEqual({ cpu_model: 'host', vhost_net: false });
    expect(kvmChoices({ ...spec, nics: [] }, { cpu: 'host', vhostNet: true }).dims).toEqual({ cpu_model: 'host' });
  });

  it("refuses vhost-net without KVM (it drives the guest through KVM's irqfd)", () => {
    expect(() => buildQemuArgv(spec, { accel: 'tcg', qmpSocket, vhostNet: true })).toThrow(/vhost-net needs the KVM accelerator, not tcg/);
  });
});

describe('kvm CPU model fallback', () => {
  it('drops arch-capabilities once when KVM refused MSR 0x10a, and knows no other fallback', () => {
    expect(cpuFallback('host', '0x10a')).toBe('host,-arch-capabilities');
    expect(cpuFallback('host', '0x10A')).toBe('host,-arch-capabilities');
    expect(cpuFallback('host,-arch-capabilities', '0x10a')).toBeUndefined();
    expect(cpuFallback('host', '0x48')).toBeUndefined();
    expect(cpuFallback('host', undefined)).toBeUndefined();
  });
});

describe('kvm guest check', () => {
  it('agrees only when the guest kernel detected KVM; says what the guest saw otherwise', () => {
    expect(kvmBackend.checkGuest).toBe(checkKvmGuest);
    expect(checkKvmGuest({ hypervisor: 'KVM', clocksource: 'kvm-clock' })).toBeUndefined();
    expect(checkKvmGuest({ hypervisor: 'KVM', clocksource: 'tsc' })).toBeUndefined();
    expect(checkKvmGuest({ hypervisor: 'none', clocksource: 'tsc' })).toMatch(/QEMU confirmed KVM, but the guest kernel detected no hypervisor at all/);
    expect(checkKvmGuest({ hypervisor: 'Xen_HVM' })).toMatch(/detected hypervisor "Xen_HVM"/);
    expect(checkKvmGuest({})).toMatch(/did not report which hypervisor/);
  });
});

describe('kvm vhost-net per case (vhostFor)', () => {
  const has = (answer: boolean) => async () => answer;
  const nic = (vhost?: 'on' | 'off', n: NicSpec = tap('net0', 'virtio-net')): NicSpec => ({ ...n, ...(vhost ? { vhost } : {}) });

  it("without a case's choice: the backend's option, for virtio-net on a tap where the host has it", async () => {
    expect(await vhostFor([nic()], 'auto', has(true))).toBe(true);
    expect(await vhostFor([nic()], 'auto', has(false))).toBe(false);
    expect(await vhostFor([nic()], 'off', has(true))).toBe(false);
    expect(await vhostFor([nic(undefined, tap('net0', 'e1000'))], 'auto', has(true))).toBe(false);
  });

  it("the case's off and on win over the backend's option", async () => {
    expect(await vhostFor([nic('off')], 'auto', has(true))).toBe(false);
    expect(await vhostFor([nic('on')], 'off', has(true))).toBe(true);
  });

  it('on that cannot be fails the launch with why, never runs without vhost', async () => {
    await expect(vhostFor([nic('on')], 'auto', has(false))).rejects.toThrow(/\/dev\/vhost-net is not usable on this host/);
    const user: NicSpec = { id: 'net0', model: 'virtio-net', attach: { kind: 'user' }, vhost: 'on' };
    await expect(vhostFor([user], 'auto', has(true))).rejects.toThrow(/serves virtio-net on a tap only; it is virtio-net on user/);
  });
});
