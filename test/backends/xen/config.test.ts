import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DiskSpec, NicSpec, VmSpec } from '../../../src/backends/common/backend.ts';
import { buildXenConfig, guestCommandLine, MAX_XEN_CMDLINE_BYTES, xenConsole, xlString } from '../../../src/backends/xen/config.ts';
import { HvbError } from '../../../src/util/errors.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'xen');

const base: VmSpec = {
  name: 'disk-r1',
  vcpus: 2,
  memoryMiB: 512,
  kernel: '/local/img/vmlinuz',
  initramfs: '/local/img/initrd.img',
  cmdline: 'quiet panic=-1 hvb.job=abc',
  disks: [],
  nics: [],
  console: 'serial',
};
const input = { domain: 'hvb-disk-r1-0a1b2c3d', kernel: '/var/cache/hvbench/files/vmlinuz', ramdisk: '/var/cache/hvbench/files/initrd.img' };
const pvDisk: DiskSpec = { id: 'scratch', path: '/srv/hvbench/run/scratch/case-1.raw', format: 'raw', model: 'xen-vbd' };
const ideDisk: DiskSpec = { ...pvDisk, model: 'ide' };
const nic = (model: string): NicSpec => ({ id: 'net0', model, attach: { kind: 'user' } });

/** Compares with test/backends/fixtures/xen/<name>.cfg; HVB_UPDATE_GOLDEN=1 rewrites the file instead. */
function golden(name: string, actual: string): void {
  const file = join(FIXTURES, `${name}.cfg`);
  if (process.env['HVB_UPDATE_GOLDEN'] === '1') writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

function thrown(run: () => unknown): HvbError {
  try {
    run();
  } catch (error) {
    if (error instanceof HvbError) return error;
    throw error;
  }
  throw new Error('expected an HvbError, nothing was thrown');
}

describe('xl config per guest type and I/O model (golden files)', () => {
  it.each([
    ['pv-boot', { variant: 'pv' as const }],
    ['pvh-boot', {}],
    ['pv-paravirtual', { variant: 'pv' as const, disks: [pvDisk] }],
    ['pvh-paravirtual', { variant: 'pvh' as const, disks: [pvDisk] }],
    ['hvm-paravirtual', { variant: 'hvm' as const, disks: [pvDisk] }],
    ['hvm-emulated', { variant: 'hvm' as const, disks: [ideDisk] }],
  ])('%s', (name, spec) => {
    golden(name, buildXenConfig({ ...base, ...spec }, input));
  });

  it.each([
    ['pvh-vif', { variant: 'pvh' as const, nics: [nic('xen-vif')] }],
    ['hvm-vif', { variant: 'hvm' as const, nics: [nic('xen-vif')] }],
    ['hvm-e1000', { variant: 'hvm' as const, nics: [nic('e1000')] }],
    ['hvm-rtl8139', { variant: 'hvm' as const, disks: [ideDisk], nics: [nic('rtl8139')] }],
  ])('%s (NIC on a dom0 bridge)', (name, spec) => {
    golden(name, buildXenConfig({ ...base, ...spec }, { ...input, bridge: 'xenbr0' }));
  });

  it('defaults to PVH and preserves the domain on every stop', () => {
    const cfg = buildXenConfig(base, input);
    expect(cfg).toMatch(/^type = "pvh"$/m);
    expect(cfg).toMatch(/^tsc_mode = "native"$/m);
    for (const action of ['on_poweroff', 'on_reboot', 'on_crash']) expect(cfg).toContain(`${action} = "preserve"`);
    expect(buildXenConfig({ ...base, variant: 'pv' }, input)).not.toContain('tsc_mode');
  });

  it('puts the console on hvc0, or ttyS0 for an HVM guest with a serial console', () => {
    expect(xenConsole('pv', 'serial')).toBe('hvc0');
    expect(xenConsole('pvh', 'serial')).toBe('hvc0');
    expect(xenConsole('hvm', 'serial')).toBe('ttyS0');
    expect(xenConsole('hvm', 'xen')).toBe('hvc0');
    expect(buildXenConfig({ ...base, variant: 'hvm' }, input)).toMatch(/^extra = "quiet panic=-1 hvb\.job=abc console=ttyS0"$/m);
  });
});

describe('quoting values into the config', () => {
  it('escapes backslashes and double quotes, and refuses control characters', () => {
    expect(xlString('plain')).toBe('"plain"');
    expect(xlString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(xlString("it's")).toBe('"it\'s"');
    expect(() => xlString('two\nlines')).toThrow(/control character/);
    expect(() => xlString('tab\there')).toThrow(/control character/);
    expect(() => xlString('nul\0')).toThrow(/control character/);
  });

  it('keeps a hostile path one string: a quote cannot end it and start a setting', () => {
    const path = '/srv/odd"; on_crash = "restart.raw';
    const cfg = buildXenConfig({ ...base, disks: [{ ...pvDisk, path }] }, input);
    expect(cfg).toContain('disk = [ "format=raw,vdev=xvda,access=rw,target=/srv/odd\\"; on_crash = \\"restart.raw" ]');
    expect(cfg.match(/^on_crash = /gm)).toHaveLength(1);
    // A comma in the target is fine: target= comes last and takes the rest.
    expect(buildXenConfig({ ...base, disks: [{ ...pvDisk, path: '/srv/a,b.raw' }] }, input)).toContain('target=/srv/a,b.raw"');
  });

  it('puts a NIC attached to a bridge on that bridge (the one the runner made for the case)', () => {
    const cfg = buildXenConfig(
      { ...base, variant: 'pv', nics: [{ id: 'net0', model: 'xen-vif', attach: { kind: 'bridge', bridge: 'hvbbr-0a1b2c' } }] },
      { ...input, bridge: 'xenbr0' },
    );
    expect(cfg).toContain('vif = [ "bridge=hvbbr-0a1b2c" ]');
  });

  it('refuses what cannot work, before anything is created', () => {
    expect(thrown(() => buildXenConfig({ ...base, disks: [{ ...pvDisk, path: 'relative.raw' }] }, input)).message).toMatch(/absolute path/);
    expect(thrown(() => buildXenConfig({ ...base, disks: [{ ...pvDisk, path: '/srv/a\nb' }] }, input)).message).toMatch(/control character/);
    expect(thrown(() => buildXenConfig({ ...base, disks: [{ ...pvDisk, format: 'qcow2' }] }, input)).message).toMatch(/raw files on Xen, not qcow2/);
    expect(thrown(() => buildXenConfig({ ...base, disks: [ideDisk] }, input)).message).toMatch(/IDE disk needs an HVM guest, and this one is PVH/);
    expect(thrown(() => buildXenConfig({ ...base, variant: 'hvm', disks: [ideDisk, { ...pvDisk, id: 'b' }] }, input)).message).toMatch(
      /either emulated or PV disks/,
    );
    expect(thrown(() => buildXenConfig({ ...base, disks: [{ ...pvDisk, model: 'virtio-blk' }] }, input)).message).toMatch(/cannot attach a virtio-blk disk/);
    expect(thrown(() => buildXenConfig({ ...base, nics: [nic('xen-vif')] }, input)).code).toBe('unsupported-device');
    expect(thrown(() => buildXenConfig({ ...base, nics: [nic('e1000')] }, { ...input, bridge: 'xenbr0' })).message).toMatch(/e1000 needs an HVM guest/);
    expect(thrown(() => buildXenConfig({ ...base, nics: [nic('xen-vif')] }, { ...input, bridge: 'br0,script=x' })).message).toMatch(/bridge name/);
    expect(
      thrown(() =>
        buildXenConfig({ ...base, nics: [{ id: 'net0', model: 'xen-vif', attach: { kind: 'tap', ifname: 'tap0' } }] }, { ...input, bridge: 'xenbr0' }),
      ).message,
    ).toMatch(/joins a bridge in dom0, not a tap device/);
    expect(
      thrown(() => buildXenConfig({ ...base, nics: [{ id: 'net0', model: 'xen-vif', attach: { kind: 'bridge', bridge: 'br0 x' } }] }, input)).message,
    ).toMatch(/bridge name/);
    expect(thrown(() => buildXenConfig(base, { ...input, domain: 'guest-1' })).message).toMatch(/must be "hvb-"/);
    expect(thrown(() => buildXenConfig({ ...base, vcpus: 0 }, input)).message).toMatch(/vcpus/);
    expect(thrown(() => buildXenConfig({ ...base, memoryMiB: 16.5 }, input)).message).toMatch(/memory/);
    expect(thrown(() => buildXenConfig({ ...base, variant: 'kvm' as never }, input)).message).toMatch(/unknown Xen guest type "kvm"/);
  });

  it('checks the command line against the guest type: PV guests take 1023 bytes, PVH and HVM 2047', () => {
    const long = { ...base, cmdline: `hvb.job=${'x'.repeat(1100)}` };
    expect(MAX_XEN_CMDLINE_BYTES.pv).toBe(1023);
    const error = thrown(() => guestCommandLine(long, 'pv'));
    expect(error.message).toMatch(/a Xen PV guest accepts at most 1023/);
    expect(error.hint).toMatch(/run the case as pvh/);
    expect(guestCommandLine(long, 'pvh')).toMatch(/ console=hvc0$/);
    expect(() => guestCommandLine({ ...base, cmdline: 'a\nb' }, 'pvh')).toThrow(/one line/);
  });
});

describe('Xen CPU pinning', () => {
  it('pins vCPU i to the i-th CPU with the list form of cpus', () => {
    const cfg = buildXenConfig({ ...base, pinning: { vcpus: [2, 3], vmm: [0] } }, input);
    expect(cfg).toContain('\nvcpus = 2\ncpus = [ "2", "3" ]\n');
  });

  it('writes no cpus line for an unpinned guest', () => {
    expect(buildXenConfig(base, input)).not.toMatch(/^cpus/m);
  });

  it('refuses a pinning that does not name one CPU per vCPU', () => {
    expect(thrown(() => buildXenConfig({ ...base, pinning: { vcpus: [2], vmm: [0] } }, input)).message).toBe(
      'pinning names 1 CPUs for 2 vCPUs; expected one per vCPU',
    );
  });
});
