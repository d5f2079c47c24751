import type { BackendDevices } from '../../devices/capabilities.ts';

/**
 * A QEMU machine type hvbench boots its guest on: the board, how devices attach to it, and
 * what its guest kernel must be told. One file per machine type (machine-pc.ts, …); the
 * registry (machines.ts) lists them. Kept apart from the registry so a machine file and
 * the registry do not import each other.
 */
export interface QemuMachine {
  /** The machine type: the value of the `machine` dimension and the first word of `-machine`. */
  name: string;
  /** The whole `-machine` value: the type and the board options hvbench sets on it. */
  machineArg: string;
  /**
   * How virtio devices reach the guest: over PCI (`virtio-blk-pci`) or memory-mapped on a
   * board without PCI (`virtio-blk-device`, found by the guest's virtio_mmio driver).
   */
  virtio: 'pci' | 'mmio';
  /** What it attaches for each I/O class, and why it cannot attach the rest. */
  devices: BackendDevices;
  /**
   * Kernel command-line words the board needs besides the console, for one launch (e.g. the
   * TSC rate a guest without a reference clock cannot measure under TCG). Default: none.
   */
  kernelArgs?: (launch: MachineLaunch) => string[];
  /** Whether a launch with this accelerator needs the host's TSC rate (MachineLaunch.hostTscKhz). */
  needsHostTsc?: (accel: 'tcg' | 'kvm') => boolean;
}

/** What a machine may need to know about one launch. */
export interface MachineLaunch {
  accel: 'tcg' | 'kvm';
  /** The TSC rate of the host QEMU runs on, in kHz, when needsHostTsc asked for it. */
  hostTscKhz?: number;
}
