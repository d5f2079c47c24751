import { HvbError } from '../../util/errors.ts';
import type { DiskSpec, NicSpec, VmSpec } from '../common/backend.ts';
import { tcgTscKernelArgs } from '../common/host-tsc.ts';
import { leaf, node } from './xml.ts';

/** Every domain hvbench defines is named with this prefix: `clean` looks only at such domains. */
export const DOMAIN_PREFIX = 'hvbench-';
/** The namespace of hvbench's element in a domain's `<metadata>`. */
export const OWNER_NAMESPACE = 'urn:hvbench:libvirt:owner:1';
/** The serial port the guest's framed lines go to (the kernel's `console=`). */
export const SERIAL_CONSOLE = 'ttyS0';
/** x86 Linux takes at most 2048 bytes of command line, its final NUL included. */
const MAX_KERNEL_CMDLINE_BYTES = 2047;

/** The libvirt domain types hvbench defines: `kvm` (hardware virtualisation) and `qemu` (TCG). */
export type QemuDomainType = 'kvm' | 'qemu';

export interface DomainOptions {
  /** The domain's name, `hvbench-…` (domainName()). */
  name: string;
  type: QemuDomainType;
  /** The file on the libvirt host QEMU writes the serial console to (hvbench reads it as it grows). */
  consolePath: string;
  /** hvbench's owner mark (`<pid>-<start time>`, common/owner.ts) and its pid, kept in `<metadata>`. */
  owner: { mark: string; pid: number };
  /**
   * The uid and gid QEMU runs as, given as a static DAC label that libvirt does not relabel
   * files for: the user hvbench runs as on that host, so QEMU reads the guest image from
   * hvbench's cache and writes the console file hvbench made. Absent: the daemon's own user.
   */
  runAs?: { uid: number; gid: number };
  /** Host NUMA nodes the guest's memory is bound to (those of its pinned vCPUs); absent: no binding. */
  memoryNodes?: readonly number[];
  /** The machine type; default `pc` (i440fx), what the direct QEMU backends boot by default. */
  machine?: string;
  /**
   * For a `qemu` (TCG) domain: the TSC rate of the libvirt host in kHz, told to the guest
   * with `tsc=reliable` as the direct tcg backend tells its guests (backends/common/host-tsc.ts).
   */
  hostTscKhz?: number;
}

/** A domain name from a spec's name: the prefix, the name with what libvirt would refuse replaced, and a random tag. */
export function domainName(specName: string, tag: string): string {
  return `${DOMAIN_PREFIX}${specName.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}-${tag}`;
}

/**
 * The domain XML of a VmSpec: the same guest the direct QEMU backends boot (kernel and
 * initramfs, the spec's command line plus the serial console, vCPUs and memory, its disks and
 * NICs, the same CPU model), with the serial console written to a file, CPU pinning as
 * `<cputune>`, the memory bound to the pinned vCPUs' NUMA nodes, and hvbench's owner mark in
 * `<metadata>`. Every lifecycle action is `destroy`: libvirt's QEMU driver has no `preserve`
 * for a power-off, and a guest that reboots (a panic with `panic=-1`) must stop, as under
 * direct QEMU's `-no-reboot`. A pure function: the same spec gives the same XML.
 */
export function buildDomainXml(vm: VmSpec, o: DomainOptions): string {
  if (vm.shares?.length)
    throw new HvbError(
      'invalid-vm-spec',
      `VM "${vm.name}": libvirt domains get no shared folders from hvbench (asked: ${vm.shares.map((s) => s.model).join(', ')})`,
    );
  const os = node('os', {}, [
    leaf('type', { arch: 'x86_64', machine: o.machine ?? 'pc' }, 'hvm'),
    leaf('kernel', {}, required(vm.kernel, 'kernel')),
    leaf('initrd', {}, required(vm.initramfs, 'initramfs')),
    leaf('cmdline', {}, kernelCommandLine(vm.cmdline, o.type === 'qemu' && o.hostTscKhz !== undefined ? tcgTscKernelArgs(o.hostTscKhz) : [])),
  ]);
  const cpu =
    o.type === 'kvm'
      ? leaf('cpu', { mode: 'host-passthrough', check: 'none' })
      : node('cpu', { mode: 'custom', match: 'exact', check: 'none' }, [leaf('model', { fallback: 'forbid' }, 'qemu64')]);
  const disks = diskElements(vm.disks);
  return node('domain', { type: o.type }, [
    leaf('name', {}, o.name),
    node('metadata', {}, [leaf('hvbench:owner', { 'xmlns:hvbench': OWNER_NAMESPACE, mark: o.owner.mark, pid: o.owner.pid, vm: vm.name })]),
    leaf('memory', { unit: 'MiB' }, String(vm.memoryMiB)),
    leaf('vcpu', { placement: 'static' }, String(vm.vcpus)),
    ...(disks.iothreads > 0 ? [leaf('iothreads', {}, String(disks.iothreads))] : []),
    ...cputune(vm),
    ...(o.memoryNodes?.length ? [node('numatune', {}, [leaf('memory', { mode: 'strict', nodeset: o.memoryNodes.join(',') })])] : []),
    os,
    node('features', {}, [leaf('acpi'), leaf('apic')]),
    cpu,
    leaf('clock', { offset: 'utc' }),
    leaf('on_poweroff', {}, 'destroy'),
    leaf('on_reboot', {}, 'destroy'),
    leaf('on_crash', {}, 'destroy'),
    node('devices', {}, [
      ...disks.elements,
      ...vm.nics.map(nicElement),
      node('serial', { type: 'file' }, [leaf('source', { path: o.consolePath }), leaf('target', { port: 0 })]),
      leaf('memballoon', { model: 'none' }),
    ]),
    ...(o.runAs ? [node('seclabel', { type: 'static', model: 'dac', relabel: 'no' }, [leaf('label', {}, `+${o.runAs.uid}:+${o.runAs.gid}`)])] : []),
  ]);
}

/** The spec's command line, the words the domain type needs and the serial console, checked as direct QEMU checks its `-append`. */
export function kernelCommandLine(cmdline: string, extra: readonly string[] = []): string {
  if (/[\n\r\0]/.test(cmdline)) throw new HvbError('invalid-cmdline', 'kernel command line must be one line (it contains a newline or NUL)');
  const full = [cmdline.trim(), ...extra, `console=${SERIAL_CONSOLE}`].filter((w) => w !== '').join(' ');
  const bytes = Buffer.byteLength(full, 'utf8');
  if (bytes > MAX_KERNEL_CMDLINE_BYTES) {
    throw new HvbError(
      'invalid-cmdline',
      `kernel command line is ${bytes} bytes; x86 Linux accepts at most ${MAX_KERNEL_CMDLINE_BYTES} (2048 with the final NUL)`,
    );
  }
  return full;
}

function required(path: string, what: string): string {
  if (path === '') throw new HvbError('invalid-vm-spec', `the VM has no ${what} file`);
  return path;
}

/** `<cputune>`: vCPU i on the spec's `pinning.vcpus[i]`, QEMU's other threads on `pinning.vmm`. */
function cputune(vm: VmSpec): string[] {
  const pin = vm.pinning;
  if (!pin) return [];
  if (pin.vcpus.length !== vm.vcpus) {
    throw new HvbError('invalid-vm-spec', `VM "${vm.name}" has ${vm.vcpus} vCPUs but its pinning names ${pin.vcpus.length} host CPUs for them`);
  }
  return [
    node('cputune', {}, [
      ...pin.vcpus.map((cpu, i) => leaf('vcpupin', { vcpu: i, cpuset: cpu })),
      ...(pin.vmm.length > 0 ? [leaf('emulatorpin', { cpuset: pin.vmm.join(',') })] : []),
    ]),
  ];
}

/** How each disk model is attached: libvirt's bus and the guest device name's prefix. */
const DISK_BUSES: Readonly<Record<string, { bus: string; dev: string }>> = {
  'virtio-blk': { bus: 'virtio', dev: 'vd' },
  'virtio-scsi': { bus: 'scsi', dev: 'sd' },
  ide: { bus: 'ide', dev: 'hd' },
  ahci: { bus: 'sata', dev: 'sd' },
};

/** The disk models a libvirt domain is given here. */
export const LIBVIRT_DISK_MODELS = Object.keys(DISK_BUSES);

/** The disks, a virtio-scsi controller when a disk needs one, and how many iothreads they use. */
function diskElements(disks: readonly DiskSpec[]): { elements: string[]; iothreads: number } {
  const used = new Map<string, number>();
  let iothreads = 0;
  const scsi = disks.filter((d) => d.model === 'virtio-scsi');
  const elements = disks.map((d) => {
    const bus = DISK_BUSES[d.model];
    if (!bus)
      throw new HvbError(
        'invalid-vm-spec',
        `disk "${d.id}": model ${d.model} is not attached by libvirt here; expected one of ${LIBVIRT_DISK_MODELS.join(', ')}`,
      );
    const n = used.get(bus.dev) ?? 0;
    used.set(bus.dev, n + 1);
    const path = d.ioPath;
    // A virtio-scsi disk's iothread and queues are its controller's.
    const own = d.model === 'virtio-blk';
    const iothread = own && path?.iothread ? ++iothreads : undefined;
    const driver = leaf('driver', {
      name: 'qemu',
      type: d.format,
      cache: path?.cache ?? 'none',
      io: path?.aio ?? 'threads',
      iothread,
      queues: own ? path?.queues : undefined,
    });
    return node('disk', { type: 'file', device: 'disk' }, [
      driver,
      leaf('source', { file: d.path }),
      leaf('target', { dev: `${bus.dev}${driveLetters(n)}`, bus: bus.bus }),
      ...(d.readonly ? [leaf('readonly')] : []),
      leaf('alias', { name: `ua-${d.id.replace(/[^A-Za-z0-9_-]/g, '_')}` }),
    ]);
  });
  if (scsi.length > 0) {
    const iothread = scsi.some((d) => d.ioPath?.iothread) ? ++iothreads : undefined;
    const queues = scsi.find((d) => d.ioPath?.queues !== undefined)?.ioPath?.queues;
    const driver = iothread !== undefined || queues !== undefined ? [leaf('driver', { iothread, queues })] : [];
    elements.unshift(node('controller', { type: 'scsi', index: 0, model: 'virtio-scsi' }, driver));
  }
  return { elements, iothreads };
}

/** `a`…`z`, `aa`, `ab`, … as Linux names disks. */
function driveLetters(n: number): string {
  let s = '';
  let i = n;
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return s;
}

/** libvirt's `<model type>` of each NIC model. */
const NIC_TYPES: Readonly<Record<string, string>> = { 'virtio-net': 'virtio', e1000: 'e1000', rtl8139: 'rtl8139' };

/** The NIC models a libvirt domain is given here. */
export const LIBVIRT_NIC_MODELS = Object.keys(NIC_TYPES);

function nicElement(nic: NicSpec): string {
  const type = NIC_TYPES[nic.model];
  if (!type)
    throw new HvbError(
      'invalid-vm-spec',
      `NIC "${nic.id}": model ${nic.model} is not attached by libvirt here; expected one of ${LIBVIRT_NIC_MODELS.join(', ')}`,
    );
  const a = nic.attach;
  const where: string[] = [];
  let kind: string;
  if (a.kind === 'user') {
    if (a.hostForwards?.length)
      throw new HvbError('invalid-vm-spec', `NIC "${nic.id}": host port forwards of user-mode networking are not given to libvirt domains here`);
    kind = 'user';
  } else if (a.kind === 'tap') {
    kind = 'ethernet';
    where.push(leaf('target', { dev: a.ifname, managed: 'no' }));
  } else {
    kind = 'bridge';
    where.push(leaf('source', { bridge: a.bridge }));
  }
  const driver =
    nic.vhost !== undefined || nic.queues !== undefined
      ? [leaf('driver', { name: nic.vhost === undefined ? undefined : nic.vhost === 'on' ? 'vhost' : 'qemu', queues: nic.queues })]
      : [];
  return node('interface', { type: kind }, [...where, leaf('model', { type }), ...driver]);
}
