/** A built guest image: one kernel and one initramfs, identical for every backend. */

/** A workload tool: the Debian package and the programs of it copied into the guest. */
export interface RecipeTool {
  package: string;
  /** Absolute paths inside the package, e.g. `/usr/bin/fio`; the command name is the basename. */
  binaries: string[];
  /**
   * The initramfs segment the tool ships in (see initrd.ts); absent: the base archive that
   * every guest boots. A case's initrd is the base plus the segments of the tools it needs.
   */
  segment?: string;
}

/** A program of hvbench's own, compiled on the build host (`gcc -O2 -static`) into a segment. */
export interface RecipeProgram {
  /** Command name, installed as `/usr/bin/<name>`. */
  name: string;
  /** C source file name inside hvbench's guest program folder (src/guest/micro/). */
  source: string;
  segment: string;
}

/** What goes into the guest. The defaults live in recipe.ts. */
export interface Recipe {
  /** Kernel package: the `linux-image-amd64` metapackage or a real `linux-image-<kver>` package. */
  kernel: string;
  /** Package holding a static `/bin/busybox`. */
  busybox: string;
  /** Kernel modules every I/O model needs, by module name (`xen-blkfront` and `xen_blkfront` are the same). */
  modules: string[];
  tools: RecipeTool[];
  /** hvbench's own programs, compiled from source on the build host. */
  programs: RecipeProgram[];
  /** Packages resolved with the tools whatever they depend on (the C library, libgcc_s). */
  base: string[];
  /** Shared libraries always copied, by soname (glibc dlopens libgcc_s.so.1 for pthread_cancel). */
  alwaysLibs: string[];
}

export interface ManifestPackage {
  name: string;
  version: string;
  arch: string;
  /** sha256 of the .deb file as downloaded. */
  sha256: string;
  /** Why it is in the image: the kernel, busybox, a workload tool or a dependency. */
  role: 'kernel' | 'busybox' | 'tool' | 'dependency';
}

export interface ManifestModule {
  name: string;
  /** Built into the kernel (nothing to load) or shipped as a .ko file. */
  builtin: boolean;
  /** Path of the .ko inside the initramfs, when not built in. */
  path?: string;
  /** Module names loaded before this one. */
  depends: string[];
}

/** Size and hash of one gzip-compressed cpio archive of the image. */
export interface ManifestArchive {
  file: string;
  sha256: string;
  bytes: number;
  unpackedBytes: number;
  entries: number;
}

/** An archive appended to the base initramfs for the cases whose workload needs its tools. */
export interface ManifestSegment extends ManifestArchive {
  name: string;
  /** Command names it adds. */
  tools: string[];
}

/** How one of hvbench's own programs was compiled. */
export interface ManifestProgram {
  name: string;
  segment: string;
  /** sha256 of the C source. */
  sourceSha256: string;
  /** `gcc --version`'s first line and the static C library's version (libc6-dev). */
  compiler: string;
  libc: string;
  argv: string[];
  /** sha256 of the binary. */
  sha256: string;
}

export interface ImageManifest {
  schema: 2;
  /** Content id of the inputs (recipe, package versions, agent); names the cache folder. */
  id: string;
  arch: 'amd64';
  kernel: { version: string; file: string; sha256: string; bytes: number };
  /** The base initramfs: busybox, the agent and its helpers, the modules, the base tools. */
  initramfs: ManifestArchive;
  /** Archives appended to the base per case, files already in the base left out. */
  segments: ManifestSegment[];
  packages: ManifestPackage[];
  modules: ManifestModule[];
  /** Workload tools in the base initramfs, by command name (the segments list their own). */
  tools: string[];
  programs: ManifestProgram[];
  /** sha256 of the agent (/init) and of each helper script shipped next to it, by command name. */
  agent: { sha256: string; helpers: Record<string, string> };
  /** The recipe the image was built from; a rebuild from this manifest uses it again. */
  recipe: Recipe;
}

export interface GuestImage {
  /** Folder holding the kernel, the initramfs and manifest.json. */
  dir: string;
  kernel: string;
  initramfs: string;
  manifest: ImageManifest;
  /** Short hash of the kernel, base initramfs and segment bytes, recorded in every sample. */
  hash: string;
}
