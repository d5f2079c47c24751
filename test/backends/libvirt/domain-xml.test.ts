import { describe, expect, it } from 'vitest';
import type { VmSpec } from '../../../src/backends/common/backend.ts';
import { buildDomainXml, domainName, kernelCommandLine, type DomainOptions } from '../../../src/backends/libvirt/domain-xml.ts';
import { ownerInDomainXml } from '../../../src/backends/libvirt/leftovers.ts';
import { escapeXml } from '../../../src/backends/libvirt/xml.ts';

const vm: VmSpec = {
  name: 'cpu-r1',
  vcpus: 2,
  memoryMiB: 512,
  kernel: '/cache/vmlinuz',
  initramfs: '/cache/initramfs.cpio.gz',
  cmdline: 'quiet panic=-1 hvb.jobz=abc',
  disks: [],
  nics: [],
  console: 'serial',
};
const options: DomainOptions = {
  name: 'hvbench-cpu-r1-0a1b2c',
  type: 'qemu',
  consolePath: '/tmp/hvbench-lv-cpu-r1-X/console.log',
  owner: { mark: '123-456', pid: 123 },
};

describe('buildDomainXml', () => {
  it('a TCG domain: kernel boot with the serial console, vCPUs and memory, qemu64, every lifecycle action destroy, the owner mark', () => {
    expect(buildDomainXml(vm, options)).toBe(
      [
        "<domain type='qemu'>",
        '  <name>hvbench-cpu-r1-0a1b2c</name>',
        '  <metadata>',
        "    <hvbench:owner xmlns:hvbench='urn:hvbench:libvirt:owner:1' mark='123-456' pid='123' vm='cpu-r1'/>",
        '  </metadata>',
        "  <memory unit='MiB'>512</memory>",
        "  <vcpu placement='static'>2</vcpu>",
        '  <os>',
        "    <type arch='x86_64' machine='pc'>hvm</type>",
        '    <kernel>/cache/vmlinuz</kernel>',
        '    <initrd>/cache/initramfs.cpio.gz</initrd>',
        '    <cmdline>quiet panic=-1 hvb.jobz=abc console=ttyS0</cmdline>',
        '  </os>',
        '  <features>',
        '    <acpi/>',
        '    <apic/>',
        '  </features>',
        "  <cpu mode='custom' match='exact' check='none'>",
        "    <model fallback='forbid'>qemu64</model>",
        '  </cpu>',
        "  <clock offset='utc'/>",
        '  <on_poweroff>destroy</on_poweroff>',
        '  <on_reboot>destroy</on_reboot>',
        '  <on_crash>destroy</on_crash>',
        '  <devices>',
        "    <serial type='file'>",
        "      <source path='/tmp/hvbench-lv-cpu-r1-X/console.log'/>",
        "      <target port='0'/>",
        '    </serial>',
        "    <memballoon model='none'/>",
        '  </devices>',
        '</domain>',
      ].join('\n'),
    );
  });

  it("a TCG domain's guest is told the libvirt host's TSC rate and that its TSC is reliable, as the tcg backend's guests are; a KVM domain's is not", () => {
    expect(buildDomainXml(vm, { ...options, hostTscKhz: 2_596_152 })).toContain(
      '<cmdline>quiet panic=-1 hvb.jobz=abc tsc_early_khz=2596152 tsc=reliable console=ttyS0</cmdline>',
    );
    expect(buildDomainXml(vm, { ...options, type: 'kvm', hostTscKhz: 2_596_152 })).toContain('<cmdline>quiet panic=-1 hvb.jobz=abc console=ttyS0</cmdline>');
  });

  it('a KVM domain passes the host CPU through; runAs becomes a static DAC label that relabels nothing', () => {
    const xml = buildDomainXml(vm, { ...options, type: 'kvm', runAs: { uid: 0, gid: 0 } });
    expect(xml).toMatch(/^<domain type='kvm'>/);
    expect(xml).toContain("<cpu mode='host-passthrough' check='none'/>");
    expect(xml).toContain("<seclabel type='static' model='dac' relabel='no'>\n    <label>+0:+0</label>\n  </seclabel>");
  });

  it('disks: bus and name per model, the I/O path on <driver>, an iothread, queues, read-only; a virtio-scsi controller', () => {
    const xml = buildDomainXml(
      {
        ...vm,
        disks: [
          { id: 'scratch', path: '/s/a.raw', format: 'raw', model: 'virtio-blk', ioPath: { aio: 'io_uring', cache: 'writeback', iothread: true, queues: 2 } },
          { id: 'ro', path: '/s/b.qcow2', format: 'qcow2', model: 'virtio-blk', readonly: true },
          { id: 'emu', path: '/s/c.raw', format: 'raw', model: 'ide' },
          { id: 'sata', path: '/s/d.raw', format: 'raw', model: 'ahci' },
          { id: 'scsi', path: '/s/e.raw', format: 'raw', model: 'virtio-scsi', ioPath: { aio: 'native', cache: 'none', iothread: true, queues: 4 } },
        ],
      },
      options,
    );
    expect(xml).toContain('  <iothreads>2</iothreads>');
    expect(xml).toContain(
      [
        "    <controller type='scsi' index='0' model='virtio-scsi'>",
        "      <driver iothread='2' queues='4'/>",
        '    </controller>',
        "    <disk type='file' device='disk'>",
        "      <driver name='qemu' type='raw' cache='writeback' io='io_uring' iothread='1' queues='2'/>",
        "      <source file='/s/a.raw'/>",
        "      <target dev='vda' bus='virtio'/>",
        "      <alias name='ua-scratch'/>",
        '    </disk>',
        "    <disk type='file' device='disk'>",
        "      <driver name='qemu' type='qcow2' cache='none' io='threads'/>",
        "      <source file='/s/b.qcow2'/>",
        "      <target dev='vdb' bus='virtio'/>",
        '      <readonly/>',
      ].join('\n'),
    );
    expect(xml).toContain("<target dev='hda' bus='ide'/>");
    expect(xml).toContain("<target dev='sda' bus='sata'/>");
    expect(xml).toContain("<target dev='sdb' bus='scsi'/>");
  });

  it('NICs: the model libvirt names, on a bridge, a tap or user-mode networking; vhost and queues on <driver>', () => {
    const xml = buildDomainXml(
      {
        ...vm,
        nics: [
          { id: 'n0', model: 'virtio-net', attach: { kind: 'bridge', bridge: 'hvbbr0' }, vhost: 'on', queues: 2 },
          { id: 'n1', model: 'e1000', attach: { kind: 'tap', ifname: 'hvbtap1' } },
          { id: 'n2', model: 'rtl8139', attach: { kind: 'user' } },
        ],
      },
      options,
    );
    expect(xml).toContain(
      [
        "    <interface type='bridge'>",
        "      <source bridge='hvbbr0'/>",
        "      <model type='virtio'/>",
        "      <driver name='vhost' queues='2'/>",
        '    </interface>',
        "    <interface type='ethernet'>",
        "      <target dev='hvbtap1' managed='no'/>",
        "      <model type='e1000'/>",
        '    </interface>',
        "    <interface type='user'>",
        "      <model type='rtl8139'/>",
        '    </interface>',
      ].join('\n'),
    );
  });

  it('pinning: each vCPU on its host CPU, the emulator threads on the VMM CPUs; the memory bound to the given NUMA nodes', () => {
    const xml = buildDomainXml({ ...vm, pinning: { vcpus: [2, 3], vmm: [0, 1] } }, { ...options, memoryNodes: [0, 1] });
    expect(xml).toContain(
      [
        '  <cputune>',
        "    <vcpupin vcpu='0' cpuset='2'/>",
        "    <vcpupin vcpu='1' cpuset='3'/>",
        "    <emulatorpin cpuset='0,1'/>",
        '  </cputune>',
        '  <numatune>',
        "    <memory mode='strict' nodeset='0,1'/>",
        '  </numatune>',
      ].join('\n'),
    );
  });

  it('escapes what the spec carries, so no value can add an element', () => {
    const xml = buildDomainXml({ ...vm, cmdline: `a='<b>' & "c"`, kernel: "/x/it's<k>" }, options);
    expect(xml).toContain('<cmdline>a=&apos;&lt;b&gt;&apos; &amp; &quot;c&quot; console=ttyS0</cmdline>');
    expect(xml).toContain('<kernel>/x/it&apos;s&lt;k&gt;</kernel>');
    expect(() => escapeXml('a\u0001b')).toThrow(/control character/);
  });

  it('refuses with why: a model libvirt is not given here, pinning that does not match the vCPUs, shares, no kernel, a command line too long', () => {
    expect(() => buildDomainXml({ ...vm, disks: [{ id: 'd', path: '/d', format: 'raw', model: 'nvme' }] }, options)).toThrow(
      /disk "d": model nvme .* expected one of virtio-blk, virtio-scsi, ide, ahci/,
    );
    expect(() => buildDomainXml({ ...vm, nics: [{ id: 'n', model: 'xen-vif', attach: { kind: 'user' } }] }, options)).toThrow(/NIC "n": model xen-vif/);
    expect(() =>
      buildDomainXml({ ...vm, nics: [{ id: 'n', model: 'e1000', attach: { kind: 'user', hostForwards: [{ hostPort: 1, guestPort: 2 }] } }] }, options),
    ).toThrow(/port forwards/);
    expect(() => buildDomainXml({ ...vm, pinning: { vcpus: [1], vmm: [0] } }, options)).toThrow(/2 vCPUs but its pinning names 1 host CPUs/);
    expect(() => buildDomainXml({ ...vm, shares: [{ tag: 't', path: '/p', model: 'virtiofs' }] }, options)).toThrow(/no shared folders/);
    expect(() => buildDomainXml({ ...vm, kernel: '' }, options)).toThrow(/no kernel file/);
    expect(() => kernelCommandLine('x'.repeat(2100))).toThrow(/at most 2047/);
    expect(() => kernelCommandLine('a\nb')).toThrow(/one line/);
  });
});

describe('domain names and the owner mark', () => {
  it('names carry the prefix, the spec name made safe and a tag', () => {
    expect(domainName('disk/r1 x', 'abc123')).toBe('hvbench-disk_r1_x-abc123');
  });

  it('the owner mark is read back from the XML libvirt returns (its own quoting and namespace prefix)', () => {
    expect(ownerInDomainXml(buildDomainXml(vm, options))).toBe('123-456');
    const dumped = `<domain type="qemu">\n  <metadata>\n    <hvbench:owner xmlns:hvbench="urn:hvbench:libvirt:owner:1" mark="9-10" pid="9" vm="x"/>\n  </metadata>\n</domain>`;
    expect(ownerInDomainXml(dumped)).toBe('9-10');
    expect(ownerInDomainXml('<domain><metadata><x:owner xmlns:x="urn:other" mark="1-2"/></metadata></domain>')).toBeUndefined();
    expect(ownerInDomainXml('<domain><name>hvbench-x</name></domain>')).toBeUndefined();
  });
});
