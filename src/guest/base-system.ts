import { join } from 'node:path';
import type { PackageRef } from './apt.ts';
import { BUSYBOX_PATH, busyboxApplets } from './busybox.ts';
import type { DebCache } from './deb-cache.ts';
import type { BusyboxAndModules } from './initramfs.ts';
import { openKernelTree, type KernelTree } from './kernel.ts';
import { planModules } from './kmod.ts';

/**
 * The kernel and busybox of an image, guest or lab, from their unpacked packages: the
 * kernel tree (its vmlinuz and version go into the image), and what the initramfs takes of
 * both: busybox with its applets, and the modules `moduleNames` need with their dependencies.
 */
export async function openBaseSystem(
  debs: DebCache,
  packages: { kernel: PackageRef; busybox: PackageRef },
  moduleNames: readonly string[],
): Promise<{ kernel: KernelTree; base: BusyboxAndModules }> {
  const kernel = await openKernelTree(debs.unpackedPath(packages.kernel), packages.kernel.name);
  const modules = await planModules(moduleNames, kernel.modules, kernel.kver);
  const busybox = join(debs.unpackedPath(packages.busybox), BUSYBOX_PATH);
  return { kernel, base: { busybox, applets: await busyboxApplets(busybox), kver: kernel.kver, moduleDir: kernel.moduleDir, modules } };
}
