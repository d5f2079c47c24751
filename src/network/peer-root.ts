import { mkdir, symlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { defaultCacheDir } from '../guest/cache.ts';
import { DebCache } from '../guest/deb-cache.ts';
import type { GuestImage } from '../guest/image.ts';
import { DYNAMIC_LOADER, LIBRARY_DIRS, libraryClosure } from '../guest/libs.ts';
import { PackageTree } from '../guest/tree.ts';
import { HvbError } from '../util/errors.ts';

/** The peers' programs: the guest runs the clients, the host side runs the same programs as servers. */
export const PEER_TOOLS = ['iperf3', 'sockperf'] as const;
export type PeerTool = (typeof PEER_TOOLS)[number];

/** Name prefix of the private directory a peer root is laid out in. */
export const PEER_ROOT_PREFIX = 'hvb-peers-';

/**
 * The peers' own root: the guest image's tool programs and their shared libraries, taken
 * from the unpacked Debian packages the image was built from, by the same closure the image
 * builder computes. Each file is a symbolic link into the package cache, so the peer runs
 * the very bytes the guest has, never a program installed on the host. Programs are started
 * through this root's dynamic loader with `--library-path` (no chroot, so it also works
 * without root).
 */
export interface PeerRoot {
  dir: string;
  loader: string;
  libraryPath: string;
  /** Host path of a tool program inside the root. */
  program(tool: PeerTool): string;
  /** argv that runs a tool from this root. */
  argv(tool: PeerTool, args: string[]): string[];
}

export interface PeerRootOptions {
  /** Where the image's .deb files are unpacked. Default: defaultCacheDir(). */
  debCacheDir?: string;
  log?: (line: string) => void;
}

/** guest path → host file, per image and package cache: the closure takes a second to compute. */
const closures = new Map<string, Promise<Map<string, string>>>();

/** The files of a peer root: guest path → the local file with its bytes, and each tool's guest path. */
export interface PeerRootFiles {
  files: ReadonlyMap<string, string>;
  programs: ReadonlyMap<PeerTool, string>;
}

/** What a peer root holds, computed once per image and package cache. */
export async function peerRootFiles(image: GuestImage, options: PeerRootOptions = {}): Promise<PeerRootFiles> {
  const programs = toolPrograms(image);
  const debCacheDir = options.debCacheDir ?? defaultCacheDir();
  const key = `${image.manifest.id}\0${debCacheDir}`;
  let files = closures.get(key);
  if (!files) {
    files = peerFiles(image, [...programs.values()], debCacheDir, options.log ?? (() => {}));
    closures.set(key, files);
    files.catch(() => closures.delete(key));
  }
  return { files: await files, programs };
}

/** Lays the peer root out in `dir` (an empty private directory the caller removes). */
export async function preparePeerRoot(image: GuestImage, dir: string, options: PeerRootOptions = {}): Promise<PeerRoot> {
  const { files, programs } = await peerRootFiles(image, options);
  for (const [guestPath, source] of files) {
    const target = posix.join(dir, guestPath);
    await mkdir(posix.dirname(target), { recursive: true });
    await symlink(source, target);
  }
  return peerRootAt(dir, programs);
}

/** The peer root laid out in `dir` (on whichever host runs the peers). */
export function peerRootAt(dir: string, programs: ReadonlyMap<PeerTool, string>): PeerRoot {
  const loader = posix.join(dir, DYNAMIC_LOADER);
  const libraryPath = LIBRARY_DIRS.map((d) => posix.join(dir, d)).join(':');
  const program = (tool: PeerTool) => posix.join(dir, programs.get(tool) as string);
  return {
    dir,
    loader,
    libraryPath,
    program,
    // --argv0 keeps the tool's own name in its messages (glibc ≥ 2.33).
    argv: (tool, args) => [loader, '--library-path', libraryPath, '--argv0', tool, program(tool), ...args],
  };
}

/** The guest path of each peer tool in the image's recipe. */
function toolPrograms(image: GuestImage): Map<PeerTool, string> {
  const found = new Map<PeerTool, string>();
  for (const tool of PEER_TOOLS) {
    const path = image.manifest.recipe.tools.flatMap((t) => t.binaries).find((b) => posix.basename(b) === tool);
    if (!path) {
      throw new HvbError(
        'peer-tool-missing',
        `the guest image ${image.manifest.id} has no ${tool}: the network peers run the image's own ${PEER_TOOLS.join(' and ')}`,
        {
          hint: 'add TOOLS.iperf3 and TOOLS.sockperf to the image recipe (src/guest/recipe.ts) and build the image again',
        },
      );
    }
    found.set(tool, path);
  }
  return found;
}

async function peerFiles(image: GuestImage, programs: string[], debCacheDir: string, log: (line: string) => void): Promise<Map<string, string>> {
  const userland = image.manifest.packages.filter((p) => p.role !== 'kernel');
  const debs = new DebCache(debCacheDir);
  // No-ops when the image was built from this cache; otherwise the exact versions of the manifest.
  await debs.fetch(userland, log);
  await debs.unpack(userland, log);
  const tree = await PackageTree.load(userland.map((p) => ({ pkg: p.name, dir: debs.unpackedPath(p) })));
  const files = new Map<string, string>();
  for (const path of await libraryClosure(tree, programs, image.manifest.recipe.alwaysLibs)) {
    const found = tree.resolve(path);
    // Symlinks passed on the way point straight at the real file's bytes in the cache.
    if (found?.node.kind === 'file') files.set(path, found.node.source);
  }
  return files;
}
