import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HvbError } from '../util/errors.ts';
import { modinfoDepends, parseModinfo, type ModuleSource } from './kmod.ts';
import { moduleName } from './recipe.ts';

/** An unpacked kernel package: its version string, image and modules. */
export interface KernelTree {
  /** `uname -r` of the kernel, e.g. `6.1.0-28-amd64`. */
  kver: string;
  /** Host path of /boot/vmlinuz-<kver> inside the unpacked package. */
  vmlinuz: string;
  /** Host path of /lib/modules/<kver>. */
  moduleDir: string;
  modules: ModuleSource;
}

/** Module name of a `kernel/.../name.ko` path. */
function nameOfPath(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return moduleName(base.replace(/\.ko(\.[a-z]+)?$/, ''));
}

async function readLines(path: string, what: string): Promise<string[]> {
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  } catch (e) {
    throw new HvbError('kernel-invalid', `kernel package has no ${what} (${path})`, { cause: e });
  }
}

/** Opens the unpacked tree of a `linux-image-<kver>` package. */
export async function openKernelTree(root: string, packageName: string): Promise<KernelTree> {
  const kver = packageName.replace(/^linux-image-/, '');
  const vmlinuz = join(root, 'boot', `vmlinuz-${kver}`);
  const moduleDir = join(root, 'lib', 'modules', kver);
  await stat(vmlinuz).catch((e: unknown) => {
    throw new HvbError('kernel-invalid', `kernel package ${packageName} has no /boot/vmlinuz-${kver}`, { cause: e });
  });
  const builtin = new Set((await readLines(join(moduleDir, 'modules.builtin'), 'modules.builtin')).map(nameOfPath));
  const paths = new Map<string, string>();
  for (const path of await readLines(join(moduleDir, 'modules.order'), 'modules.order')) {
    paths.set(nameOfPath(path), path);
  }
  const modules: ModuleSource = {
    isBuiltin: (name) => builtin.has(moduleName(name)),
    path: (name) => paths.get(moduleName(name)),
    depends: async (name) => {
      const rel = paths.get(moduleName(name));
      if (rel === undefined) throw new HvbError('module-missing', `kernel ${kver} has no module ${name}`);
      if (rel.endsWith('.ko.xz') || rel.endsWith('.ko.zst') || rel.endsWith('.ko.gz')) {
        throw new HvbError('module-compressed', `kernel ${kver} ships compressed modules (${rel}); only plain .ko files are supported`);
      }
      return modinfoDepends(parseModinfo(await readFile(join(moduleDir, rel)), rel));
    },
  };
  return { kver, vmlinuz, moduleDir, modules };
}
