import { HvbError } from '../../util/errors.ts';
import { qemuDiskPath } from './disk-path.ts';
import type { QemuMachine } from './machine.ts';

const ONLY_VIRTIO = 'microvm has no PCI bus and no disk or network controller of its own: it attaches virtio-mmio devices only (virtio-blk, virtio-net)';

/**
 * QEMU's `microvm` machine, modelled on Firecracker: no PCI, virtio devices memory-mapped
 * (`virtio-blk-device`, `virtio-net-device`), one ISA serial port for the console, qboot as
 * firmware (QEMU's default for microvm: bios-microvm.bin) loading `-kernel` directly.
 *
 * ACPI stays on: with it QEMU describes each virtio-mmio device in the DSDT, where the
 * Debian kernel's virtio_mmio module finds it, and the guest powers off through ACPI (S5).
 * Without ACPI the devices are announced as `virtio_mmio.device=` words on the command line,
 * which Debian's kernel ignores (CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES is off), and a poweroff
 * only halts. No option ROMs (qboot boots the kernel itself), no PIT and no 8259: a
 * hardware-reduced ACPI guest uses neither.
 *
 * Under TCG the guest has no clock to measure its TSC against (no PIT gate at port 0x61,
 * no HPET, no ACPI PM timer); without the rate it hangs before its first timer tick. TCG's
 * TSC counts at the host's rate (QEMU reads the host's TSC), so the launch tells the guest
 * that rate (`tsc_early_khz=`). And the guest's only other clock, jiffies from its local
 * APIC timer, falls behind whenever TCG is late delivering ticks: the clocksource watchdog
 * would then throw the TSC out for jiffies (4 ms steps, measured 512 ms against the TSC's
 * 800 ms), so the TSC is declared reliable (`tsc=reliable`), which the host's TSC is.
 * Every board's guest is told both under TCG where the host's TSC is trusted
 * (backends/common/host-tsc.ts); microvm cannot boot without them, so its launch fails
 * where the rate cannot be read. Under KVM the guest reads the rate from kvmclock and needs
 * neither word.
 *
 * Every guest gets `pci=off`: there is no PCI bus to probe, and the probe would print an
 * error ("PCI: Fatal: No config space access function found") into every guest log.
 */
export const microvmMachine: QemuMachine = {
  name: 'microvm',
  machineArg: 'microvm,acpi=on,x-option-roms=off,pit=off,pic=off',
  virtio: 'mmio',
  devices: {
    defaults: {
      disk: { paravirtual: 'virtio-blk', emulated: { unavailable: ONLY_VIRTIO } },
      nic: { paravirtual: 'virtio-net', emulated: { unavailable: ONLY_VIRTIO } },
    },
    models: {
      disk: ['virtio-blk'],
      nic: ['virtio-net'],
    },
    why: (_kind, model) => {
      if (model.startsWith('xen-')) return `${model} is a Xen device; QEMU offers virtio for paravirtual I/O`;
      if (model === 'virtio-scsi') return 'virtio-scsi is not offered on microvm: hvbench loads its PCI transport in the guest, not virtio-mmio';
      return `${model} is not available on microvm: ${ONLY_VIRTIO}`;
    },
    diskPath: qemuDiskPath,
  },
  needsHostTsc: (accel) => accel === 'tcg',
  kernelArgs: ({ accel, hostTscKhz }) => {
    if (accel !== 'tcg') return ['pci=off'];
    if (hostTscKhz === undefined || !Number.isInteger(hostTscKhz) || hostTscKhz <= 0) {
      throw new HvbError('invalid-argument', `microvm under TCG needs the host's TSC rate in kHz (a whole number above 0), got ${String(hostTscKhz)}`);
    }
    // The rate and `tsc=reliable` follow (tcgTscKernelArgs, as for every board under TCG).
    return ['pci=off'];
  },
};
