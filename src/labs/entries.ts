import type { CpioEntry } from '../guest/cpio.ts';
import { Entries, putBusyboxAndModules, textLines, type BusyboxAndModules } from '../guest/initramfs.ts';
import type { PackageTree } from '../guest/tree.ts';
import type { LabRecipe } from './recipe.ts';

/** Everything that goes into a lab host's initramfs, gathered by the builder. */
export interface LabInitramfsContent extends BusyboxAndModules {
  recipe: LabRecipe;
  init: Buffer;
  tree: PackageTree;
  /** Guest paths copied from the tree: the programs' closure, the recipe's trees and files. */
  files: string[];
  imageId: string;
}

/** Empty directories with their modes; /var/lock must exist for xenconsole, /var/tmp holds guest images. */
const DIRS: Record<string, number> = {
  dev: 0o755,
  etc: 0o755,
  'etc/dropbear': 0o700,
  mnt: 0o755,
  proc: 0o755,
  root: 0o700,
  'root/.ssh': 0o700,
  run: 0o755,
  sys: 0o755,
  tmp: 0o1777,
  var: 0o755,
  'var/lib': 0o755,
  'var/lock': 0o755,
  'var/log': 0o755,
  'var/tmp': 0o1777,
};

/** The lab initramfs members, sorted by path: package files win over busybox applets, /init over everything. */
export function labInitramfsEntries(c: LabInitramfsContent): CpioEntry[] {
  const e = new Entries();
  for (const [dir, mode] of Object.entries(DIRS)) e.put({ path: dir, kind: 'dir', mode });
  e.put({ path: 'dev/console', kind: 'chardev', mode: 0o600, major: 5, minor: 1 });
  e.put({ path: 'var/run', kind: 'symlink', target: '/run' });
  putBusyboxAndModules(e, c, 'lib/hvb-lab/modules');

  for (const path of c.files) {
    const node = c.tree.get(path);
    if (node?.kind === 'dir') e.put({ path: path.slice(1), kind: 'dir', mode: 0o755 });
    else e.fromTree(c.tree, [path]);
  }
  for (const [path, target] of Object.entries(c.recipe.links).sort()) e.put({ path: path.slice(1), kind: 'symlink', target });

  e.put({ path: 'etc/passwd', kind: 'file', mode: 0o644, data: textLines(['root:x:0:0:root:/root:/bin/sh']) });
  e.put({ path: 'etc/group', kind: 'file', mode: 0o644, data: textLines(['root:x:0:', 'tty:x:5:']) });
  // dropbear refuses users whose shell is not listed here.
  e.put({ path: 'etc/shells', kind: 'file', mode: 0o644, data: textLines(['/bin/sh']) });
  e.put({ path: 'etc/hvb-lab/lab', kind: 'file', mode: 0o644, data: textLines([c.recipe.lab]) });
  e.put({ path: 'etc/hvb-lab/image', kind: 'file', mode: 0o644, data: textLines([`kernel=${c.kver}`, `image=${c.imageId}`, `variant=${c.recipe.variant}`]) });
  e.put({ path: 'init', kind: 'file', mode: 0o755, data: c.init });
  return e.sorted();
}

/** The per-boot archive appended to the image's initramfs: the boot's nonce and the client's public key. */
export function bootSegmentEntries(nonce: string, authorizedKey: string): CpioEntry[] {
  return [
    { path: 'etc', kind: 'dir', mode: 0o755 },
    { path: 'etc/hvb-lab', kind: 'dir', mode: 0o755 },
    { path: 'etc/hvb-lab/authorized_keys', kind: 'file', mode: 0o600, data: textLines([authorizedKey.trim()]) },
    { path: 'etc/hvb-lab/nonce', kind: 'file', mode: 0o644, data: textLines([nonce]) },
  ];
}
