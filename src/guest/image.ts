/** A built guest image: one kernel and one initramfs, identical for every backend. */

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
