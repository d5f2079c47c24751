import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { HvbError } from '../util/errors.ts';
import { BUSYBOX_PATH } from './busybox.ts';
import type { CpioEntry } from './cpio.ts';
import { formatModulesDep, type ModulePlan } from './kmod.ts';
import type { PackageTree } from './tree.ts';

/** Everything that goes into the initramfs, gathered by the builder. */
export interface InitramfsContent {
  agent: Buffer;
  /** Host path of the unpacked static busybox. */
  busybox: string;
  /** Relative applet paths from `busybox --list-full`. */
  applets: string[];
  kver: string;
  /** Host path of /lib/modules/<kver> in the unpacked kernel package. */
  moduleDir: string;
  modules: ModulePlan;
  /** Package tree and the guest paths to copy from it (tools, libraries, loader, symlinks). */
  tree: PackageTree;
  files: string[];
  tools: string[];
  imageId: string;
}

/** Empty directories the agent mounts on or writes to, with their modes. */
const BASE_DIRS: Record<string, number> = {
  dev: 0o755, etc: 0o755, mnt: 0o755, proc: 0o755, root: 0o700, run: 0o755, sys: 0o755, tmp: 0o1777,
};

const text = (lines: string[]) => Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');

/**
 * The initramfs members, sorted by path (parents first) so that the archive is the same
 * bytes for the same inputs. Later additions win over earlier ones at the same path:
 * package files over busybox applet links, and /init over everything.
 */
export function initramfsEntries(c: InitramfsContent): CpioEntry[] {
  const entries = new Map<string, CpioEntry>();
  const put = (entry: CpioEntry) => {
    for (let dir = posix.dirname(entry.path); dir !== '.'; dir = posix.dirname(dir)) {
      const existing = entries.get(dir);
      if (existing && existing.kind !== 'dir') {
        throw new HvbError('initramfs-conflict', `initramfs path ${dir} is a ${existing.kind} but ${entry.path} needs it to be a directory`);
      }
      if (!existing) entries.set(dir, { path: dir, kind: 'dir', mode: 0o755 });
    }
    entries.set(entry.path, entry);
  };
  const fromHost = (path: string, source: string, mode: number) => put({ path, kind: 'file', mode, read: () => readFile(source) });

  for (const [dir, mode] of Object.entries(BASE_DIRS)) put({ path: dir, kind: 'dir', mode });
  put({ path: 'dev/console', kind: 'chardev', mode: 0o600, major: 5, minor: 1 });

  const busybox = BUSYBOX_PATH.slice(1);
  for (const applet of c.applets) if (applet !== busybox) put({ path: applet, kind: 'symlink', target: BUSYBOX_PATH });
  fromHost(busybox, c.busybox, 0o755);

  const modRoot = `lib/modules/${c.kver}`;
  for (const rel of c.modules.files) fromHost(`${modRoot}/${rel}`, posix.join(c.moduleDir, rel), 0o644);
  put({ path: `${modRoot}/modules.dep`, kind: 'file', mode: 0o644, data: Buffer.from(formatModulesDep(c.modules.modules, c.kver)) });
  fromHost(`${modRoot}/modules.builtin`, posix.join(c.moduleDir, 'modules.builtin'), 0o644);
  for (const [name, paths] of c.modules.loadLists) put({ path: `lib/hvb/modules/${name}`, kind: 'file', mode: 0o644, data: text(paths) });

  for (const path of c.files) {
    const node = c.tree.get(path);
    const rel = path.slice(1);
    if (node?.kind === 'file') fromHost(rel, node.source, node.executable ? 0o755 : 0o644);
    else if (node?.kind === 'symlink') put({ path: rel, kind: 'symlink', target: node.target });
    else throw new HvbError('initramfs-source', `package tree has no file or symlink at ${path}`);
  }

  put({ path: 'etc/hvb/tools', kind: 'file', mode: 0o644, data: text(c.tools) });
  put({ path: 'etc/hvb/image', kind: 'file', mode: 0o644, data: text([`kernel=${c.kver}`, `image=${c.imageId}`]) });
  put({ path: 'init', kind: 'file', mode: 0o755, data: c.agent });

  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
