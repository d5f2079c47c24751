import type { GuestImage } from '../../guest/image.ts';
import type { Host } from '../../hosts/host.ts';

/** Backend-neutral description of one VM. Each backend compiles it to its own form. */
export interface VmSpec {
  /** Short name used for files and logs, e.g. `cpu-r1`. */
  name: string;
  vcpus: number;
  memoryMiB: number;
  kernel: string;
  initramfs: string;
  /** Kernel command line without the console argument (the backend adds it). */
  cmdline: string;
  disks: DiskSpec[];
  nics: NicSpec[];
  /** Which console the guest writes its framed lines to. */
  console: 'serial' | 'xen';
  /**
   * Xen only: the guest type, `pv`, `pvh` or `hvm` (a case dimension `guest_type`).
   * Absent means `pvh`. Other backends ignore it.
   */
  xenType?: 'pv' | 'pvh' | 'hvm';
}

export interface DiskSpec {
  id: string;
  path: string;
  format: 'raw' | 'qcow2';
  /** Device model, e.g. virtio-blk, ide, ahci, nvme, virtio-scsi. */
  model: string;
  readonly?: boolean;
}

export interface NicSpec {
  id: string;
  /** Device model, e.g. virtio-net, e1000, rtl8139. */
  model: string;
  /** How the NIC reaches the host side. */
  attach: { kind: 'user'; hostForwards?: { hostPort: number; guestPort: number }[] } | { kind: 'tap'; ifname: string } | { kind: 'bridge'; bridge: string };
}

/** What probe() found, from evidence. */
export interface Capability {
  backend: string;
  available: boolean;
  /** One line a person can act on: what works, or why not. */
  reason: string;
  /** Facts found on the way (versions, paths), recorded as provenance. */
  facts: Record<string, string>;
  /** When not available and there is a known fix: how to make it available. */
  hint?: string;
}

/** Why a VM stopped. */
export type VmExit =
  | {
      kind: 'shutdown';
      reason: string;
      /** The VMM's own word for it when it gave one, e.g. QEMU's `guest-shutdown`, `guest-reset`. */
      cause?: string;
    }
  | { kind: 'exited'; exitCode: number | null; signal: string | null }
  | { kind: 'killed'; reason: string };

/** Host-side cost of one VM, read from the VMM process. */
export interface VmmUsage {
  pid: number;
  cpuUserS: number;
  cpuSystemS: number;
  peakRssKiB: number;
}

export interface RunningVm {
  pid: number;
  /** The accelerator the VMM confirms it is using (never the requested one). */
  accel: string;
  /** Console bytes as they arrive, decoded as UTF-8 text chunks. */
  onConsole(listener: (chunk: string) => void): void;
  /** Resolves when the guest powered off, the VMM exited, or kill() was called. */
  wait(): Promise<VmExit>;
  /** Stops the VM and its whole process group; idempotent. */
  kill(reason: string): Promise<void>;
  /** The VMM's usage; exact when read after the guest stopped and before kill(). */
  usage(): Promise<VmmUsage | undefined>;
  /** Everything the VMM printed on stderr (not the guest console). */
  vmmLog(): string;
  /** Dimensions this launch decided, for every sample of the boot (e.g. KVM's `vhost_net`, `cpu_model`). */
  dims?: Record<string, string | number | boolean>;
}

/** How a probe may be asked to work. Backends ignore what does not concern them. */
export interface ProbeOptions {
  /** Ignore cached evidence (e.g. KVM's canary verdict) and gather it again. */
  recheck?: boolean;
  /** The guest image a canary boots; default: the image last built for this source tree. */
  image?: GuestImage;
  /** Progress lines for a person waiting (e.g. "booting a canary guest"). */
  log?: (line: string) => void;
}

export interface Backend {
  name: string;
  /** Facts that go into every sample this backend produces (e.g. QEMU version). */
  probe(host: Host, options?: ProbeOptions): Promise<Capability>;
  launch(vm: VmSpec, host: Host): Promise<RunningVm>;
  /**
   * Checks what the guest reported about itself (`fact` frames, e.g. `hypervisor`,
   * `clocksource`) against this backend: returns why the guest's own view contradicts it
   * (the repetition then fails), or undefined when it agrees.
   */
  checkGuest?(facts: Readonly<Record<string, string>>): string | undefined;
}
