import { createHash } from 'node:crypto';

/** The labs hvbench can boot: a Linux host with a real (nested) KVM, and Xen with a Linux dom0. */
export const LAB_NAMES = ['kvm', 'xen'] as const;
export type LabName = (typeof LAB_NAMES)[number];

export function isLabName(name: string): name is LabName {
  return (LAB_NAMES as readonly string[]).includes(name);
}

/**
 * What goes into a lab host image, all from Debian packages. The initramfs holds busybox,
 * the ELF closure of `programs` (binaries and loadable objects such as QEMU's TCG module),
 * every file below each of `trees`, the single `files`, the kernel modules with their
 * dependencies, the lab's /init and a few configuration files.
 */
export interface LabRecipe {
  lab: LabName;
  /** `kvm`, `xen`, or `xen-hvm` (Xen with the device model for HVM guests). */
  variant: string;
  /** Kernel package: the metapackage `linux-image-amd64` or a real `linux-image-<kver>`. */
  kernel: string;
  /** Xen: the hypervisor package and the gzipped ELF inside it that QEMU boots with -kernel. */
  hypervisor?: { package: string; file: string };
  /** Package holding a static /bin/busybox. */
  busybox: string;
  /** Packages resolved (with their dependencies) and unpacked for the files below. */
  packages: string[];
  /** ELF files copied with their shared library closure (DT_NEEDED, followed through the packages). */
  programs: string[];
  /** Directories copied whole (firmware, keymaps, scripts). */
  trees: string[];
  /** Single files copied as they are (no closure). */
  files: string[];
  /** Symlinks the image adds: path → target. */
  links: Record<string, string>;
  /** Kernel modules shipped (with their dependencies); /init decides which it loads. */
  modules: string[];
  /** Libraries always copied, by soname (glibc dlopens libgcc_s.so.1 for pthread_cancel). */
  alwaysLibs: string[];
}

const BASE = {
  kernel: 'linux-image-amd64',
  busybox: 'busybox-static',
  alwaysLibs: ['libgcc_s.so.1'],
};

/** Dropbear (SSH server, key auth only) and socat, in both labs. */
const SSH_PACKAGES = ['dropbear-bin', 'socat', 'libc6', 'libgcc-s1'];
const SSH_PROGRAMS = ['/usr/sbin/dropbear', '/usr/bin/dropbearkey', '/usr/bin/socat'];
const NIC_MODULES = ['virtio_pci', 'virtio_net'];

/**
 * The KVM lab: the generic kernel with kvm_amd, QEMU for x86 with its TCG module, firmware and
 * qemu-img, virtiofsd, iproute2 (network namespaces and taps for net cases), the tun, bridge and
 * vhost_net modules (vhost on or off for virtio-net), and ext4 for its disk-backed /tmp
 * (scratch disks need O_DIRECT, which tmpfs refuses).
 */
export const KVM_LAB_RECIPE: LabRecipe = {
  lab: 'kvm',
  variant: 'kvm',
  ...BASE,
  packages: ['qemu-system-x86', 'qemu-utils', 'iproute2', 'linux-perf', 'util-linux', ...SSH_PACKAGES],
  programs: [
    '/usr/bin/qemu-system-x86_64',
    '/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so',
    '/usr/bin/qemu-img',
    // virtiofsd (QEMU's own, from qemu-system-common): fs cases share a folder by virtiofs.
    '/usr/lib/qemu/virtiofsd',
    '/bin/ip',
    // perf (`perf kvm stat record/report`): counts VM exits where KVM's debugfs is missing.
    '/usr/bin/perf',
    // util-linux's unshare (busybox's has no --kill-child): native runs on the lab host, the baseline its VMs are set against.
    '/usr/bin/unshare',
    ...SSH_PROGRAMS,
  ],
  trees: ['/usr/share/seabios', '/usr/lib/ipxe/qemu', '/usr/share/qemu'],
  files: [],
  // iproute2's ip, not busybox's applet (/sbin comes first in PATH): busybox has no `ip netns`.
  links: { '/sbin/ip': '/bin/ip' },
  // ext4 (and crc32c for its checksums: /init has no modprobe to fetch it): the lab's scratch disk.
  modules: ['kvm_amd', ...NIC_MODULES, 'virtio_blk', 'tun', 'bridge', 'vhost_net', 'crc32c_generic', 'ext4'],
  alwaysLibs: BASE.alwaysLibs,
};

/** Where Debian's Xen 4.17 keeps its programs; /usr/sbin/xl etc. are wrapper scripts. */
const XEN_LIB = '/usr/lib/xen-4.17';
const XEN_BIN = `${XEN_LIB}/bin`;
const XEN_PROGRAMS = ['xl', 'xenconsoled', 'xen-init-dom0', 'xenstored'];

/**
 * What libxl's hotplug scripts (/etc/xen/scripts/block and the files it sources) run that
 * busybox lacks: they are bash scripts (`[[ ]]`, arrays, `trap … ERR`), lock with util-linux's
 * `flock`, and read and write xenstore. Without them a file-backed vbd (losetup by `block`)
 * never connects and `xl create` fails.
 */
const HOTPLUG_PACKAGES = ['bash', 'util-linux'];
const HOTPLUG_PROGRAMS = ['/bin/bash', '/usr/bin/flock', '/usr/bin/xenstore-write', '/usr/bin/xenstore-list'];

/**
 * The Xen lab: Xen 4.17 and a Linux dom0 with the toolstack (xl, xenstored, xenconsoled),
 * the dom0 drivers and the PV back ends for guests' disks and NICs, and bash with what the
 * hotplug scripts need (file-backed disks). `hvm` adds QEMU's Xen
 * device model, SeaBIOS and the option ROMs that HVM guests need (about 10 MB more gzipped).
 */
export function xenLabRecipe(options: { hvm?: boolean } = {}): LabRecipe {
  const hvm = options.hvm ?? false;
  return {
    lab: 'xen',
    variant: hvm ? 'xen-hvm' : 'xen',
    ...BASE,
    hypervisor: { package: 'xen-hypervisor-4.17-amd64', file: '/boot/xen-4.17-amd64.gz' },
    packages: [
      'xen-utils-4.17',
      'xenstore-utils',
      ...HOTPLUG_PACKAGES,
      ...SSH_PACKAGES,
      ...(hvm ? ['qemu-system-xen', 'seabios', 'qemu-system-data', 'ipxe-qemu'] : []),
    ],
    programs: [
      ...XEN_PROGRAMS.map((p) => `${XEN_BIN}/${p}`),
      // Called by xl itself: `xl console` / `create -c`, and save/restore.
      `${XEN_BIN}/xenconsole`,
      `${XEN_BIN}/libxl-save-helper`,
      '/usr/bin/xenstore-read',
      '/usr/bin/xenstore-ls',
      // Each domain's PV I/O counters (block requests, network traffic) for `run --count-events`.
      `${XEN_BIN}/xentop`,
      ...HOTPLUG_PROGRAMS,
      ...SSH_PROGRAMS,
      ...(hvm ? ['/usr/libexec/xen-qemu-system-i386'] : []),
    ],
    trees: ['/etc/xen/scripts', ...(hvm ? ['/usr/share/seabios'] : [])],
    // HVM: libxl loads hvmloader (the firmware that runs SeaBIOS) into every HVM domain.
    // The device model loads a keymap for its (disabled) VNC server, en-us by default, and dies without it,
    // and the option ROM of an emulated NIC (e1000, rtl8139), found on Debian's firmware path in ipxe-qemu.
    files: [
      '/etc/xen/xl.conf',
      ...(hvm
        ? [
            `${XEN_LIB}/boot/hvmloader`,
            '/usr/share/qemu/linuxboot_dma.bin',
            '/usr/share/qemu/linuxboot.bin',
            '/usr/share/qemu/kvmvapic.bin',
            '/usr/share/qemu/keymaps/en-us',
            '/usr/lib/ipxe/qemu/efi-e1000.rom',
            '/usr/lib/ipxe/qemu/efi-rtl8139.rom',
          ]
        : []),
    ],
    links: Object.fromEntries([...XEN_PROGRAMS, 'xentop'].map((p) => [`/usr/sbin/${p}`, `${XEN_BIN}/${p}`])),
    modules: ['xenfs', 'xen_privcmd', 'xen_evtchn', 'xen_gntdev', 'xen_gntalloc', 'xen_blkback', 'xen_netback', 'loop', 'bridge', 'tun', ...NIC_MODULES],
    alwaysLibs: BASE.alwaysLibs,
  };
}

export function labRecipe(lab: LabName, options: { hvm?: boolean } = {}): LabRecipe {
  return lab === 'kvm' ? KVM_LAB_RECIPE : xenLabRecipe(options);
}

/** Canonical text of a recipe: fixed key order, so the same recipe always gives the same id. */
export function canonicalLabRecipe(r: LabRecipe): string {
  return JSON.stringify({
    lab: r.lab,
    variant: r.variant,
    kernel: r.kernel,
    hypervisor: r.hypervisor ? { package: r.hypervisor.package, file: r.hypervisor.file } : null,
    busybox: r.busybox,
    packages: [...r.packages],
    programs: [...r.programs],
    trees: [...r.trees],
    files: [...r.files],
    links: Object.keys(r.links)
      .sort()
      .map((k) => [k, r.links[k]]),
    modules: [...r.modules],
    alwaysLibs: [...r.alwaysLibs],
  });
}

export function labRecipeHash(r: LabRecipe): string {
  return createHash('sha256').update(canonicalLabRecipe(r)).digest('hex').slice(0, 16);
}
