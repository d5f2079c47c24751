import { HvbError } from '../../util/errors.ts';
import type { DiskSpec, NicSpec } from '../common/backend.ts';
import { MAX_DISK_QUEUES, MAX_NIC_QUEUES } from '../../devices/models.ts';
import { IOTHREAD_DISK_MODELS } from './disk-path.ts';
import type { QemuMachine } from './machine.ts';
import { pcMachine } from './machine-pc.ts';
import { qemuNicQueues, virtioNetVectors } from './nic-queues.ts';

/** Disk models the QEMU backends know, in the order error messages list them. */
export const QEMU_DISK_MODELS = ['virtio-blk', 'ide', 'ahci', 'nvme', 'virtio-scsi'] as const;
/** NIC models the QEMU backends know. */
export const QEMU_NIC_MODELS = ['virtio-net', 'e1000', 'rtl8139'] as const;

const NIC_DEVICES: Record<string, string> = { e1000: 'e1000', rtl8139: 'rtl8139' };

/** A virtio device on the board's transport: `virtio-blk-pci` on PCI, `virtio-blk-device` on virtio-mmio. */
function virtioDevice(kind: 'blk' | 'net' | 'scsi', machine: QemuMachine): string {
  return `virtio-${kind}-${machine.virtio === 'pci' ? 'pci' : 'device'}`;
}

/** The i440fx (`pc`) board has two IDE buses with two units each. */
const IDE_SLOTS = 4;
const AHCI_PORTS = 6;
/** QEMU ids: a letter, then letters, digits, `-`, `.`, `_`. */
const QEMU_ID = /^[A-Za-z][A-Za-z0-9._-]{0,30}$/;
const IFNAME = /^[A-Za-z0-9._-]{1,15}$/;

/** Escapes a value inside a QEMU `key=value,…` option: a comma is written as two. */
export function escapeQemuOptionValue(value: string): string {
  return value.replaceAll(',', ',,');
}

export interface DiskArgvOptions {
  /**
   * `-drive cache=` mode of a disk whose spec sets no path; `none` (O_DIRECT) needs a file
   * system that supports it (not tmpfs).
   */
  cache: string;
  /** The board the disks attach to; default `pc`. */
  machine?: QemuMachine;
}

/**
 * `-drive` and `-device` arguments for every disk, in spec order; controllers are added once.
 * A disk's I/O path (DiskSpec.ioPath) sets `cache=` and `aio=` on its drive, an iothread of its
 * own (`-object iothread`, then `iothread=` on the virtio-blk device or the virtio-scsi
 * controller) and `num-queues=` on virtio-blk. Without a path: `cache` from the options,
 * `aio=threads`, no iothread, the device's own queues.
 */
export function diskArgv(disks: DiskSpec[], options: DiskArgvOptions): string[] {
  const machine = options.machine ?? pcMachine;
  const argv: string[] = [];
  const controllers = new Set<string>();
  const counts = { ide: 0, ahci: 0, scsi: 0, iothreads: 0 };
  for (const disk of disks) {
    checkId('disk', disk.id);
    checkDiskPath(disk);
    const iothread = disk.ioPath?.iothread === true ? `io${counts.iothreads++}` : undefined;
    if (iothread !== undefined) argv.push('-object', `iothread,id=${iothread}`);
    const onIothread = iothread === undefined ? '' : `,iothread=${iothread}`;
    const drive = [
      `file=${escapeQemuOptionValue(disk.path)}`,
      'if=none',
      `id=${disk.id}`,
      `format=${disk.format}`,
      `cache=${disk.ioPath?.cache ?? options.cache}`,
      `aio=${disk.ioPath?.aio ?? 'threads'}`,
      ...(disk.readonly ? ['readonly=on'] : []),
    ];
    argv.push('-drive', drive.join(','));
    checkOnBoard(machine, 'disk', disk.model, QEMU_DISK_MODELS);
    switch (disk.model) {
      case 'virtio-blk':
        argv.push('-device', `${virtioDevice('blk', machine)},drive=${disk.id}${onIothread}${queuesOption(disk)}`);
        break;
      case 'ide': {
        const slot = counts.ide++;
        if (slot >= IDE_SLOTS) throw tooMany('ide', IDE_SLOTS);
        argv.push('-device', `ide-hd,bus=ide.${Math.floor(slot / 2)},unit=${slot % 2},drive=${disk.id}`);
        break;
      }
      case 'ahci': {
        if (!controllers.has('ahci')) argv.push('-device', 'ahci,id=ahci0');
        controllers.add('ahci');
        const port = counts.ahci++;
        if (port >= AHCI_PORTS) throw tooMany('ahci', AHCI_PORTS);
        argv.push('-device', `ide-hd,bus=ahci0.${port},drive=${disk.id}`);
        break;
      }
      case 'nvme':
        // NVMe requires a serial number; the disk id makes it stable and findable in the guest.
        argv.push('-device', `nvme,serial=${disk.id.slice(0, 20)},drive=${disk.id}`);
        break;
      case 'virtio-scsi':
        // The controller serves every disk on it: its iothread is the first disk's.
        if (!controllers.has('scsi')) argv.push('-device', `${virtioDevice('scsi', machine)},id=scsi0${onIothread}`);
        controllers.add('scsi');
        argv.push('-device', `scsi-hd,bus=scsi0.0,scsi-id=${counts.scsi++},drive=${disk.id}`);
        break;
      default:
        throw unsupported('disk', disk.model, QEMU_DISK_MODELS);
    }
  }
  return argv;
}

/** `,num-queues=N` when the disk's path sets its queues (QEMU's own default otherwise: one per vCPU on PCI). */
function queuesOption(disk: DiskSpec): string {
  return disk.ioPath?.queues === undefined ? '' : `,num-queues=${disk.ioPath.queues}`;
}

/**
 * A path QEMU cannot run (the suite skips such cases through qemuDiskPath; this catches a
 * VmSpec built by hand): aio=native without O_DIRECT, an iothread or queues on a device
 * that has no such option here, queues out of range.
 */
function checkDiskPath(disk: DiskSpec): void {
  const path = disk.ioPath;
  if (path === undefined) return;
  const refuse = (why: string) => new HvbError('invalid-vm-spec', `disk "${disk.id}": ${why}`);
  if (path.aio === 'native' && path.cache === 'writeback') throw refuse('aio=native needs O_DIRECT (cache none or directsync), not cache=writeback');
  if (path.iothread && !IOTHREAD_DISK_MODELS.includes(disk.model)) throw refuse(`an iothread serves virtio-blk and virtio-scsi disks only, not ${disk.model}`);
  if (path.queues !== undefined) {
    if (disk.model !== 'virtio-blk') throw refuse(`num-queues is set on virtio-blk disks only, not ${disk.model}`);
    if (!Number.isInteger(path.queues) || path.queues < 1 || path.queues > MAX_DISK_QUEUES) {
      throw refuse(`queues must be a whole number from 1 to ${MAX_DISK_QUEUES}, got ${path.queues}`);
    }
  }
}

export interface NicArgvOptions {
  /**
   * Serve virtio-net NICs on a tap device from the host kernel's vhost-net (`vhost=on`)
   * instead of QEMU's own device loop. Only for KVM (vhost needs its irqfd/ioeventfd), and
   * only where /dev/vhost-net is usable: QEMU refuses to start otherwise.
   */
  vhostNet?: boolean;
  /** The board the NICs attach to; default `pc`. */
  machine?: QemuMachine;
}

/**
 * `-netdev` and `-device` arguments for every NIC, in spec order. A NIC with more than one
 * queue pair (NicSpec.queues) opens its tap once per queue (`queues=N`, the tap made with
 * IFF_MULTI_QUEUE) and offers them to the guest (`mq=on`, an MSI-X vector per queue); one
 * queue pair is the command line every NIC had.
 */
export function nicArgv(nics: NicSpec[], options: NicArgvOptions = {}): string[] {
  const machine = options.machine ?? pcMachine;
  const argv: string[] = [];
  for (const nic of nics) {
    checkId('nic', nic.id);
    const device = nic.model === 'virtio-net' ? virtioDevice('net', machine) : NIC_DEVICES[nic.model];
    if (device === undefined) throw unsupported('NIC', nic.model, QEMU_NIC_MODELS);
    checkOnBoard(machine, 'nic', nic.model, QEMU_NIC_MODELS);
    const queues = nicQueues(nic, machine);
    const mq = queues > 1 ? `,mq=on,vectors=${virtioNetVectors(queues)}` : '';
    argv.push('-netdev', netdev(nic, options.vhostNet === true && usesVhostNet(nic), queues), '-device', `${device},netdev=${nic.id}${mq}`);
  }
  return argv;
}

/**
 * A NIC's queue pairs, checked (planning skips what QEMU cannot; this catches a VmSpec built by
 * hand): a whole number in range, more than one on virtio-net over PCI and on a tap only.
 */
function nicQueues(nic: NicSpec, machine: QemuMachine): number {
  const queues = nic.queues ?? 1;
  const refuse = (why: string) => new HvbError('invalid-vm-spec', `NIC "${nic.id}": ${why}`);
  if (!Number.isInteger(queues) || queues < 1 || queues > MAX_NIC_QUEUES)
    throw refuse(`queues must be a whole number from 1 to ${MAX_NIC_QUEUES}, got ${queues}`);
  const why = qemuNicQueues(machine)(queues, nic.model);
  if (why !== undefined) throw refuse(why);
  if (queues > 1 && nic.attach.kind !== 'tap') throw refuse(`${queues} queue pairs need a multi-queue tap, not ${nic.attach.kind} networking`);
  return queues;
}

/** Whether vhost-net can serve this NIC: a virtio-net device on a tap (not user-mode networking). */
export function usesVhostNet(nic: NicSpec): boolean {
  return nic.model === 'virtio-net' && nic.attach.kind === 'tap';
}

function netdev(nic: NicSpec, vhost: boolean, queues: number): string {
  const attach = nic.attach;
  if (attach.kind === 'tap') {
    if (!IFNAME.test(attach.ifname)) {
      throw new HvbError('invalid-vm-spec', `NIC "${nic.id}": tap interface name "${attach.ifname}" is not valid`, {
        hint: 'use 1–15 characters from letters, digits, ".", "_" and "-"',
      });
    }
    return `tap,id=${nic.id},ifname=${attach.ifname},script=no,downscript=no${queues > 1 ? `,queues=${queues}` : ''}${vhost ? ',vhost=on' : ''}`;
  }
  if (attach.kind === 'bridge') {
    throw new HvbError(
      'invalid-vm-spec',
      `NIC "${nic.id}": QEMU attaches NICs to a tap or user-mode networking, not to a bridge (${attach.bridge}); bridges are Xen's`,
    );
  }
  const forwards = (attach.hostForwards ?? []).map(({ hostPort, guestPort }) => {
    checkPort(nic.id, hostPort);
    checkPort(nic.id, guestPort);
    return `hostfwd=tcp:127.0.0.1:${hostPort}-:${guestPort}`;
  });
  return ['user', `id=${nic.id}`, ...forwards].join(',');
}

function checkId(what: string, id: string): void {
  if (!QEMU_ID.test(id)) {
    throw new HvbError('invalid-vm-spec', `${what} id "${id}" is not a valid QEMU id`, {
      hint: 'start with a letter; use up to 31 letters, digits, ".", "_" and "-"',
    });
  }
}

function checkPort(nicId: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new HvbError('invalid-vm-spec', `NIC "${nicId}": port ${port} is not a TCP port (1–65535)`);
  }
}

/**
 * A model QEMU knows but this board cannot attach (IDE on q35, anything but virtio on
 * microvm). The suite skips such cases from the machine's device table; this catches a
 * VmSpec built by hand.
 */
function checkOnBoard(machine: QemuMachine, kind: 'disk' | 'nic', model: string, known: readonly string[]): void {
  if (!known.includes(model) || machine.devices.models[kind].includes(model)) return;
  const why = machine.devices.why?.(kind, model) ?? `machine ${machine.name} cannot attach it`;
  throw new HvbError('unsupported-device', `${kind === 'nic' ? 'NIC' : kind} model "${model}" is not available on QEMU machine ${machine.name}: ${why}`, {
    hint: `use one of: ${machine.devices.models[kind].join(', ')}, or another machine type`,
  });
}

function unsupported(what: string, model: string, known: readonly string[]): HvbError {
  return new HvbError('unsupported-device', `${what} model "${model}" is not supported by the QEMU backends (known: ${known.join(', ')})`, {
    hint: `use one of: ${known.join(', ')}`,
  });
}

function tooMany(model: string, max: number): HvbError {
  return new HvbError('unsupported-device', `at most ${max} ${model} disks fit on this machine type`);
}
