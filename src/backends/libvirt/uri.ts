import type { Host } from '../../hosts/host.ts';

/** The connection of the QEMU driver to the system libvirtd of the host that runs virsh. */
export const DEFAULT_QEMU_URI = 'qemu:///system';
/** The connection of the libxl driver in a Xen dom0. */
export const XEN_URI = 'xen:///system';

/**
 * The connection the QEMU-driver backends give virsh on a host: its hosts-file entry's
 * `libvirt.uri`; on the local host libvirt's own LIBVIRT_DEFAULT_URI when it names a QEMU
 * connection (`qemu:///…`, `qemu+ssh://…`); else `qemu:///system`. virsh runs on the host
 * itself (over SSH for a remote one), so the default reaches that host's own libvirtd.
 */
export function qemuUri(host: Host, env: NodeJS.ProcessEnv = process.env): string {
  if (host.libvirt?.uri) return host.libvirt.uri;
  const fromEnv = env['LIBVIRT_DEFAULT_URI'];
  if (host.kind === 'local' && fromEnv && /^qemu(\+[a-z]+)?:\/\//.test(fromEnv)) return fromEnv;
  return DEFAULT_QEMU_URI;
}
