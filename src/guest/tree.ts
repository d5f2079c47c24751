import { lstat, readdir, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { HvbError } from '../util/errors.ts';

/** One path of the unpacked packages, as the guest will see it. */
export type TreeNode =
  | { kind: 'dir'; pkg: string }
  | { kind: 'file'; pkg: string; source: string; size: number; executable: boolean }
  | { kind: 'symlink'; pkg: string; target: string };

const MAX_LINKS = 40;

/**
 * The union of several unpacked package trees, addressed by guest path (`/usr/lib/...`).
 * Only package files are visible here: nothing of the host's own root is ever looked at.
 */
export class PackageTree {
  private readonly nodes = new Map<string, TreeNode>([['/', { kind: 'dir', pkg: '' }]]);

  /** Indexes the given unpacked trees; on a path two packages both ship, the first one wins. */
  static async load(roots: readonly { pkg: string; dir: string }[]): Promise<PackageTree> {
    const tree = new PackageTree();
    for (const root of roots) await tree.walk(root.pkg, root.dir, '/');
    return tree;
  }

  private async walk(pkg: string, hostDir: string, guestDir: string): Promise<void> {
    const names = (await readdir(hostDir)).sort();
    for (const name of names) {
      const host = posix.join(hostDir, name);
      const guest = posix.join(guestDir, name);
      const st = await lstat(host);
      if (st.isDirectory()) {
        if (!this.nodes.has(guest)) this.nodes.set(guest, { kind: 'dir', pkg });
        await this.walk(pkg, host, guest);
      } else if (this.nodes.has(guest)) {
      } else if (st.isSymbolicLink()) {
        this.nodes.set(guest, { kind: 'symlink', pkg, target: await readlink(host) });
      } else if (st.isFile()) {
        this.nodes.set(guest, { kind: 'file', pkg, source: host, size: st.size, executable: (st.mode & 0o111) !== 0 });
      }
    }
  }

  /** Adds one node; used by tests to build a tree without unpacking packages. */
  set(path: string, node: TreeNode): void {
    this.nodes.set(path, node);
  }

  get(path: string): TreeNode | undefined {
    return this.nodes.get(path);
  }

  /** Every path strictly below the directory `dir` (files, symlinks and directories), sorted. */
  list(dir: string): string[] {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    return [...this.nodes.keys()].filter((p) => p.startsWith(prefix)).sort();
  }

  /**
   * Follows symlinks (in any component) to the real node of `path`.
   * Returns the real path and every symlink passed on the way, or undefined if it leads nowhere.
   */
  resolve(path: string): { path: string; node: TreeNode; links: string[] } | undefined {
    const links: string[] = [];
    let pending = splitPath(path);
    let current = '/';
    let hops = 0;
    while (pending.length > 0) {
      const [head, ...rest] = pending;
      pending = rest;
      if (head === '..') {
        current = posix.dirname(current);
        continue;
      }
      const next = posix.join(current, head as string);
      const node = this.nodes.get(next);
      if (!node) return undefined;
      if (node.kind === 'symlink') {
        if (++hops > MAX_LINKS) {
          throw new HvbError('symlink-loop', `too many symbolic links while resolving ${path} in the package tree`);
        }
        links.push(next);
        if (node.target.startsWith('/')) current = '/';
        pending = [...splitPath(node.target), ...pending];
        continue;
      }
      if (node.kind === 'file' && pending.length > 0) return undefined;
      current = next;
    }
    const node = this.nodes.get(current);
    return node ? { path: current, node, links } : undefined;
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}
