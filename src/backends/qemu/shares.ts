import type { DeviceResolution } from '../../devices/capabilities.ts';
import type { ShareKind } from '../../devices/models.ts';
import { HvbError } from '../../util/errors.ts';
import type { ShareSpec } from '../common/backend.ts';
import { escapeQemuOptionValue } from './devices.ts';
import type { QemuMachine } from './machine.ts';
import { VIRTIOFSD_FACT } from './virtiofsd.ts';

/** QEMU ids and mount tags: a letter, then letters, digits, `-`, `_` (a 9p tag is at most 31 bytes). */
const TAG = /^[A-Za-z][A-Za-z0-9_-]{0,30}$/;
/** The id of the shared guest memory a virtiofs VM gets. */
export const SHARED_MEMORY_ID = 'hvb-mem';

/**
 * How QEMU shares a host folder of `kind` on `machine`: `9p` with QEMU's own virtio-9p
 * server; `virtiofs` with virtiofsd (found by the probe, fact VIRTIOFSD_FACT) and the
 * vhost-user-fs device; `block` is the case's paravirtual disk with a file system on it.
 * Both shares exist on PCI and on virtio-mmio (`-device` / `-pci` variants).
 */
export function qemuShare(kind: ShareKind, facts: Readonly<Record<string, string>>): DeviceResolution {
  if (kind === 'virtiofs') {
    const found = facts[VIRTIOFSD_FACT];
    if (found !== undefined && !found.startsWith('/')) return { ok: false, reason: `virtiofs needs virtiofsd on the VMM's host, and there is none (${found})` };
  }
  return { ok: true, model: kind, io: 'paravirtual' };
}

/** What a VM's shares add to QEMU's command line. */
export interface ShareArgv {
  /** `-object`, `-fsdev`, `-chardev` and `-device` arguments. */
  argv: string[];
  /** Options for `-machine` (virtiofs: the shared memory backend), empty when none. */
  machineOptions: string[];
}

/**
 * The arguments for every share: 9p as `-fsdev local` (`security_model=none`: files keep the
 * uid QEMU runs as) and `virtio-9p`; virtiofs as a `-chardev socket` to its virtiofsd
 * (`virtiofsSocket(tag)`) and `vhost-user-fs`. virtiofsd maps the guest's memory itself,
 * so a virtiofs VM's RAM must be shareable: one memfd backend of the whole size,
 * `share=on`, named as the board's memory (`-machine memory-backend=`), as QEMU's
 * documentation for virtiofs describes.
 */
export function shareArgv(shares: readonly ShareSpec[], o: { machine: QemuMachine; memoryMiB: number; virtiofsSocket?: (tag: string) => string }): ShareArgv {
  const argv: string[] = [];
  const transport = o.machine.virtio === 'pci' ? 'pci' : 'device';
  let virtiofs = false;
  for (const share of shares) {
    if (!TAG.test(share.tag)) {
      throw new HvbError('invalid-vm-spec', `share tag "${share.tag}" is not valid: start with a letter; up to 31 letters, digits, "_" and "-"`);
    }
    if (share.model === '9p') {
      argv.push('-fsdev', `local,id=${share.tag},path=${escapeQemuOptionValue(share.path)},security_model=none`);
      argv.push('-device', `virtio-9p-${transport},fsdev=${share.tag},mount_tag=${share.tag}`);
    } else if (share.model === 'virtiofs') {
      const socket = o.virtiofsSocket?.(share.tag);
      if (socket === undefined) throw new HvbError('invalid-vm-spec', `share "${share.tag}": virtiofs needs its virtiofsd's socket`);
      if (socket.includes(',')) throw new HvbError('invalid-argument', `virtiofsd's socket path must not contain a comma: ${socket}`);
      argv.push('-chardev', `socket,id=${share.tag}-sock,path=${socket}`);
      argv.push('-device', `vhost-user-fs-${transport},chardev=${share.tag}-sock,tag=${share.tag}`);
      virtiofs = true;
    } else {
      throw new HvbError('unsupported-device', `share "${share.tag}": QEMU shares folders by virtiofs or 9p, not ${share.model}`);
    }
  }
  if (!virtiofs) return { argv, machineOptions: [] };
  return {
    argv: ['-object', `memory-backend-memfd,id=${SHARED_MEMORY_ID},size=${o.memoryMiB}M,share=on`, ...argv],
    machineOptions: [`memory-backend=${SHARED_MEMORY_ID}`],
  };
}
