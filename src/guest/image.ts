/** A built guest image: one kernel and one initramfs, identical for every backend. */

/** A workload tool: the Debian package and the programs of it copied into the guest. */
export interface RecipeTool {
  package: string;
  /** Absolute paths inside the package, e.g. `/usr/bin/fio`; the command name is the basename. */
  binaries: string[];
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

export interface ImageManifest {
  schema: 1;
  /** Content id of the inputs (recipe, package versions, agent); names the cache folder. */
  id: string;
  arch: 'amd64';
  kernel: { version: string; file: string; sha256: string; bytes: number };
  initramfs: { file: string; sha256: string; bytes: number; unpackedBytes: number; entries: number };
  packages: ManifestPackage[];
  modules: ManifestModule[];
  /** Workload tools available in the guest, by command name. */
  tools: string[];
  agent: { sha256: string };
  /** The recipe the image was built from; a rebuild from this manifest uses it again. */
  recipe: Recipe;
}

export interface GuestImage {
  /** Folder holding the kernel, the initramfs and manifest.json. */
  dir: string;
  kernel: string;
  initramfs: string;
  manifest: ImageManifest;
  /** Short hash of kernel + initramfs bytes, recorded in every sample. */
  hash: string;
}
