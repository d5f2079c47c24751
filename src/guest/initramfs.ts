import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { HvbError } from '../util/errors.ts';
import { BUSYBOX_PATH } from './busybox.ts';
import type { CpioEntry } from './cpio.ts';
import { formatModulesDep, type ModulePlan } from './kmod.ts';
import type { PackageTree } from './tree.ts';

/** What every initramfs hvbench builds (guest or lab) starts from: a static busybox and one kernel's modules. */
export interface BusyboxAndModules {
  /** Host path of the unpacked static busybox. */
  busybox: string;
  /** Relative applet paths from `busybox --list-full`. */
  applets: string[];
  kver: string;
  /** Host path of /lib/modules/<kver> in the unpacked kernel package. */
  moduleDir: string;
  modules: ModulePlan;
}

/** Everything that goes into the base initramfs, gathered by the builder. */
export interface InitramfsContent extends BusyboxAndModules {
  agent: Buffer;
  /** Scripts the agent calls, installed as /usr/bin/<name>. */
  helpers?: { name: string; bytes: Buffer }[];
  /** Package tree and the guest paths to copy from it (tools, libraries, loader, symlinks). */
  tree: PackageTree;
  files: string[];
  tools: string[];
  imageId: string;
}

/** What one segment adds on top of the base: package files not in the base, and compiled programs. */
export interface SegmentContent {
  name: string;
  tree: PackageTree;
  files: string[];
  programs: { name: string; bytes: Buffer }[];
  tools: string[];
}

/** Empty directories the agent mounts on or writes to, with their modes. */
const BASE_DIRS: Record<string, number> = {
  dev: 0o755,
  etc: 0o755,
  mnt: 0o755,
  proc: 0o755,
  root: 0o700,
  run: 0o755,
  sys: 0o755,
  tmp: 0o1777,
};

/** The bytes of a text file of these lines, each ended by a newline. */
export const textLines = (lines: string[]) => Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');

/**
 * Archive members keyed by path, each parent directory added before its children. Later
 * additions win over earlier ones at the same path. `sorted()` gives the same order for the
 * same inputs, so the archive is the same bytes.
 */
export class Entries {
  private readonly map = new Map<string, CpioEntry>();

  put(entry: CpioEntry): void {
    for (let dir = posix.dirname(entry.path); dir !== '.'; dir = posix.dirname(dir)) {
      const existing = this.map.get(dir);
      if (existing && existing.kind !== 'dir') {
        throw new HvbError('initramfs-conflict', `initramfs path ${dir} is a ${existing.kind} but ${entry.path} needs it to be a directory`);
      }
      if (!existing) this.map.set(dir, { path: dir, kind: 'dir', mode: 0o755 });
    }
    this.map.set(entry.path, entry);
  }

  fromHost(path: string, source: string, mode: number): void {
    this.put({ path, kind: 'file', mode, read: () => readFile(source) });
  }

  /** Copies package files and symlinks by guest path. */
  fromTree(tree: PackageTree, paths: readonly string[]): void {
    for (const path of paths) {
      const node = tree.get(path);
      const rel = path.slice(1);
      if (node?.kind === 'file') this.fromHost(rel, node.source, node.executable ? 0o755 : 0o644);
      else if (node?.kind === 'symlink') this.put({ path: rel, kind: 'symlink', target: node.target });
      else throw new HvbError('initramfs-source', `package tree has no file or symlink at ${path}`);
    }
  }

  sorted(): CpioEntry[] {
    return [...this.map.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

/**
 * Busybox, with every applet a link to it, and the kernel's modules with their modules.dep
 * and modules.builtin. `loadListDir` gets one file per module set the init script loads,
 * listing its module paths in load order.
 */
export function putBusyboxAndModules(e: Entries, c: BusyboxAndModules, loadListDir: string): void {
  const busybox = BUSYBOX_PATH.slice(1);
  for (const applet of c.applets) if (applet !== busybox) e.put({ path: applet, kind: 'symlink', target: BUSYBOX_PATH });
  e.fromHost(busybox, c.busybox, 0o755);

  const modRoot = `lib/modules/${c.kver}`;
  for (const rel of c.modules.files) e.fromHost(`${modRoot}/${rel}`, posix.join(c.moduleDir, rel), 0o644);
  e.put({ path: `${modRoot}/modules.dep`, kind: 'file', mode: 0o644, data: Buffer.from(formatModulesDep(c.modules.modules, c.kver)) });
  e.fromHost(`${modRoot}/modules.builtin`, posix.join(c.moduleDir, 'modules.builtin'), 0o644);
  for (const [name, paths] of c.modules.loadLists) e.put({ path: `${loadListDir}/${name}`, kind: 'file', mode: 0o644, data: textLines(paths) });
}

/**
 * The base initramfs members, sorted by path (parents first). Package files win over busybox
 * applet links at the same path, and /init over everything.
 */
export function initramfsEntries(c: InitramfsContent): CpioEntry[] {
  const e = new Entries();
  for (const [dir, mode] of Object.entries(BASE_DIRS)) e.put({ path: dir, kind: 'dir', mode });
  e.put({ path: 'dev/console', kind: 'chardev', mode: 0o600, major: 5, minor: 1 });
  putBusyboxAndModules(e, c, 'lib/hvb/modules');

  e.fromTree(c.tree, c.files);
  for (const h of c.helpers ?? []) e.put({ path: `usr/bin/${h.name}`, kind: 'file', mode: 0o755, data: h.bytes });

  e.put({ path: 'etc/hvb/tools', kind: 'file', mode: 0o644, data: textLines(c.tools) });
  e.put({ path: 'etc/hvb/image', kind: 'file', mode: 0o644, data: textLines([`kernel=${c.kver}`, `image=${c.imageId}`]) });
  e.put({ path: 'init', kind: 'file', mode: 0o755, data: c.agent });
  return e.sorted();
}

/**
 * The members of one segment, sorted by path. The kernel unpacks it over the base, so its
 * directories may repeat the base's; `/etc/hvb/segments/<name>` lists the tools it adds.
 */
export function segmentEntries(s: SegmentContent): CpioEntry[] {
  const e = new Entries();
  e.fromTree(s.tree, s.files);
  for (const p of s.programs) e.put({ path: `usr/bin/${p.name}`, kind: 'file', mode: 0o755, data: p.bytes });
  e.put({ path: `etc/hvb/segments/${s.name}`, kind: 'file', mode: 0o644, data: textLines(s.tools) });
  return e.sorted();
}
