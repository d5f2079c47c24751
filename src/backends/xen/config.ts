import { guestTypeOf, type XenGuestType } from './devices.ts';
import { HvbError } from '../../util/errors.ts';
import type { DiskSpec, NicSpec, VmSpec } from '../common/backend.ts';

/** What a compiled config needs besides the VmSpec: paths on the dom0 and the domain's name. */
export interface XenConfigInput {
  /** Domain name, from xenDomainName(). */
  domain: string;
  /** Kernel and initramfs paths on the dom0 (after host.putFile). */
  kernel: string;
  ramdisk: string;
  /** Bridge in dom0 for a NIC attached as `user` (the backend's `bridge` option); a NIC attached to a `bridge` names its own. */
  bridge?: string;
}

/**
 * Linux copies a PV guest's command line from start_info, whose field holds 1024 bytes
 * (Xen's MAX_GUEST_CMDLINE) with the final NUL; PVH and HVM guests get x86 Linux's 2048.
 */
export const MAX_XEN_CMDLINE_BYTES: Record<XenGuestType, number> = { pv: 1023, pvh: 2047, hvm: 2047 };

/** Console device inside the guest: Xen's PV console, or the device model's serial port. */
export function xenConsole(type: XenGuestType, console: VmSpec['console']): 'hvc0' | 'ttyS0' {
  return type === 'hvm' && console === 'serial' ? 'ttyS0' : 'hvc0';
}

/** Names a domain the way `xl` accepts and hvbench recognises: `hvb-` then letters, digits, `-`. */
export const XEN_DOMAIN_NAME = /^hvb-[a-z0-9-]{1,59}$/;
const BRIDGE_NAME = /^[A-Za-z0-9_.-]{1,15}$/;
/** HVM guests have one IDE controller with two channels of two units (hda–hdd). */
const IDE_SLOTS = 4;
const MAX_VCPUS = 128;
const MIN_MEMORY_MIB = 32;

/**
 * Quotes a value as an xl.cfg string: double quotes, with `\` and `"` escaped (libxlu's
 * lexer undoes exactly these). Control characters cannot appear in a config string (a
 * newline ends it) and are refused, as is any value the guest would not get back intact.
 */
export function xlString(value: string, what = 'value'): string {
  if (/[\x00-\x1f\x7f]/.test(value)) {
    throw new HvbError('invalid-argument', `${what} cannot go into an xl config: it contains a control character (${JSON.stringify(value.slice(0, 80))})`);
  }
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * Compiles a VmSpec into an xl domain config (xl.cfg(5)). Pure: nothing is touched. The
 * guest type is `vm.variant`, `pvh` when absent. Every lifecycle action is `preserve`:
 * the stopped domain stays until hvbench has read its CPU time and the last console
 * bytes, then hvbench destroys it (see docs/xen.md).
 */
export function buildXenConfig(vm: VmSpec, input: XenConfigInput): string {
  const type = guestTypeOf(vm.variant);
  if (!XEN_DOMAIN_NAME.test(input.domain)) {
    throw new HvbError('invalid-argument', `Xen domain name "${input.domain}" must be "hvb-" and at most 59 lower-case letters, digits or "-"`);
  }
  if (!Number.isInteger(vm.vcpus) || vm.vcpus < 1 || vm.vcpus > MAX_VCPUS) {
    throw new HvbError('invalid-argument', `vcpus must be an integer from 1 to ${MAX_VCPUS} on Xen, got ${vm.vcpus}`);
  }
  if (!Number.isInteger(vm.memoryMiB) || vm.memoryMiB < MIN_MEMORY_MIB) {
    throw new HvbError('invalid-argument', `memory must be a whole number of MiB, at least ${MIN_MEMORY_MIB}, got ${vm.memoryMiB}`);
  }
  if ((vm.shares ?? []).length > 0) {
    throw new HvbError(
      'unsupported-device',
      `Xen guests get no shared folders from hvbench (${vm.shares!.map((x) => x.model).join(', ')}); a share is QEMU's or native's`,
    );
  }
  const emulatedDisks = vm.disks.filter((d) => d.model !== 'xen-vbd');
  const emulatedNics = vm.nics.filter((n) => n.model !== 'xen-vif');
  const emulated = emulatedDisks.length + emulatedNics.length > 0;
  const extra = guestCommandLine(vm, type);
  const lines = [
    `# hvbench: ${vm.name.replace(/[^\x20-\x7e]/g, '?')} as a Xen ${type.toUpperCase()} guest (generated)`,
    `name = ${xlString(input.domain)}`,
    `type = ${xlString(type)}`,
    `kernel = ${xlString(absolute(input.kernel, 'kernel'), 'kernel path')}`,
    `ramdisk = ${xlString(absolute(input.ramdisk, 'ramdisk'), 'ramdisk path')}`,
    `extra = ${xlString(extra, 'kernel command line')}`,
    `vcpus = ${vm.vcpus}`,
    ...xenCpus(vm),
    `memory = ${vm.memoryMiB}`,
    `maxmem = ${vm.memoryMiB}`,
    // PVH and HVM: Xen 4.17 under QEMU's SVM cannot emulate RDTSCP (no NRIP-save); a native TSC needs no emulation.
    ...(type === 'pv' ? [] : ['tsc_mode = "native"']),
    'on_poweroff = "preserve"',
    'on_reboot = "preserve"',
    'on_crash = "preserve"',
    ...(vm.disks.length === 0 ? [] : [`disk = [ ${vm.disks.map((d, i) => xlString(diskSpec(d, i, type, vm.disks), `disk ${d.id}`)).join(', ')} ]`]),
    ...(vm.nics.length === 0 ? [] : [`vif = [ ${vm.nics.map((n) => xlString(vifSpec(n, type, input.bridge), `NIC ${n.id}`)).join(', ')} ]`]),
    ...(type === 'hvm'
      ? [
          // The guest's console: the device model's first serial port, read through xenconsoled.
          'serial = "pty"',
          'vga = "none"',
          'vnc = 0',
          'sdl = 0',
          // Without the platform PCI device the guest has no PV drivers to unplug the emulated devices for.
          ...(emulated ? ['xen_platform_pci = 0'] : []),
        ]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** The spec's command line plus the console argument, checked against the guest type's limit. */
export function guestCommandLine(vm: VmSpec, type: XenGuestType): string {
  if (/[\n\r\0]/.test(vm.cmdline)) throw new HvbError('invalid-cmdline', 'kernel command line must be one line (it contains a newline or NUL)');
  const full = `${vm.cmdline.trim()} console=${xenConsole(type, vm.console)}`.trimStart();
  const bytes = Buffer.byteLength(full, 'utf8');
  const limit = MAX_XEN_CMDLINE_BYTES[type];
  if (bytes > limit) {
    throw new HvbError('invalid-cmdline', `kernel command line is ${bytes} bytes; a Xen ${type.toUpperCase()} guest accepts at most ${limit}`, {
      hint:
        type === 'pv'
          ? 'a PV guest takes half the command line of PVH and HVM: run the case as pvh, or shorten the job'
          : 'shorten the job encoded on the command line',
    });
  }
  return full;
}

/** One `disk = [...]` entry (xl-disk-configuration(5)); `target=` comes last, as it may hold commas. */
function diskSpec(disk: DiskSpec, index: number, type: XenGuestType, all: DiskSpec[]): string {
  if (disk.format !== 'raw') {
    throw new HvbError(
      'unsupported-device',
      `disk ${disk.id}: hvbench attaches raw files on Xen, not ${disk.format} (that needs QEMU's qdisk backend in dom0)`,
    );
  }
  const path = absolute(disk.path, `disk ${disk.id}`);
  let vdev: string;
  if (disk.model === 'xen-vbd') {
    vdev = `xvd${letter(index)}`;
  } else if (disk.model === 'ide') {
    if (type !== 'hvm')
      throw new HvbError('unsupported-device', `disk ${disk.id}: an emulated IDE disk needs an HVM guest, and this one is ${type.toUpperCase()}`);
    if (all.some((d) => d.model === 'xen-vbd')) {
      throw new HvbError(
        'unsupported-device',
        `disk ${disk.id}: an HVM guest gets either emulated or PV disks here, not both (emulated devices run without the platform PCI device)`,
      );
    }
    if (index >= IDE_SLOTS) throw new HvbError('unsupported-device', `at most ${IDE_SLOTS} IDE disks fit an HVM guest`);
    vdev = `hd${letter(index)}`;
  } else {
    throw new HvbError('unsupported-device', `disk ${disk.id}: Xen cannot attach a ${disk.model} disk (known: xen-vbd, and ide on HVM guests)`);
  }
  return ['format=raw', `vdev=${vdev}`, `access=${disk.readonly ? 'ro' : 'rw'}`, `target=${path}`].join(',');
}

/** One `vif = [...]` entry (xl-network-configuration(5)). */
function vifSpec(nic: NicSpec, type: XenGuestType, fallback: string | undefined): string {
  if (nic.attach.kind === 'tap' || (nic.attach.kind === 'user' && fallback === undefined)) {
    throw new HvbError(
      'unsupported-device',
      `NIC ${nic.id}: a Xen vif joins a bridge in dom0, not ${nic.attach.kind === 'tap' ? 'a tap device' : 'user-mode networking'}`,
      {
        hint: 'the runner opens a bridge in dom0 for Xen network cases (network/dom0-network.ts)',
      },
    );
  }
  const bridge = nic.attach.kind === 'bridge' ? nic.attach.bridge : (fallback as string);
  if (!BRIDGE_NAME.test(bridge)) throw new HvbError('invalid-argument', `bridge name "${bridge}" must be 1 to 15 letters, digits, ".", "_" or "-"`);
  const parts = [`bridge=${bridge}`];
  if (nic.model === 'xen-vif') {
    // On HVM, `type=vif` keeps the device model from adding an emulated twin of the PV NIC.
    if (type === 'hvm') parts.push('type=vif');
  } else if (nic.model === 'e1000' || nic.model === 'rtl8139') {
    if (type !== 'hvm')
      throw new HvbError('unsupported-device', `NIC ${nic.id}: an emulated ${nic.model} needs an HVM guest, and this one is ${type.toUpperCase()}`);
    parts.push(`model=${nic.model}`, 'type=ioemu');
  } else {
    throw new HvbError('unsupported-device', `NIC ${nic.id}: Xen cannot attach a ${nic.model} NIC (known: xen-vif, and e1000 or rtl8139 on HVM guests)`);
  }
  return parts.join(',');
}

function letter(index: number): string {
  if (index >= 26) throw new HvbError('unsupported-device', 'at most 26 disks fit a Xen guest here');
  return String.fromCharCode(97 + index);
}

function absolute(path: string, what: string): string {
  if (!path.startsWith('/')) throw new HvbError('invalid-argument', `${what} must be an absolute path on the dom0, got "${path}"`);
  return path;
}

/**
 * Hard affinity of the guest's vCPUs (xl.cfg `cpus`, the list form): vCPU i on physical CPU
 * `pinning.vcpus[i]`. The VMM CPUs are not used: dom0's vCPUs are not moved (that is the
 * host's boot configuration, `dom0_max_vcpus=1 dom0_vcpus_pin`; see docs/decisions.md).
 */
function xenCpus(vm: VmSpec): string[] {
  if (vm.pinning === undefined) return [];
  if (vm.pinning.vcpus.length !== vm.vcpus) {
    throw new HvbError('invalid-argument', `pinning names ${vm.pinning.vcpus.length} CPUs for ${vm.vcpus} vCPUs; expected one per vCPU`);
  }
  return [`cpus = [ ${vm.pinning.vcpus.map((cpu) => xlString(String(cpu), 'pinned CPU')).join(', ')} ]`];
}
