import { describe, expect, it } from 'vitest';
import { assignLabRoles } from '../../src/labs/resolve.ts';
import { canonicalLabRecipe, isLabName, KVM_LAB_RECIPE, labRecipe, labRecipeHash, xenLabRecipe } from '../../src/labs/recipe.ts';

describe('lab recipes', () => {
  it('KVM lab: kernel with kvm_amd and virtio, QEMU with its TCG module and firmware, qemu-img, virtiofsd, perf, unshare, socat, dropbear', () => {
    expect(KVM_LAB_RECIPE).toEqual({
      lab: 'kvm',
      variant: 'kvm',
      kernel: 'linux-image-amd64',
      busybox: 'busybox-static',
      packages: ['qemu-system-x86', 'qemu-utils', 'iproute2', 'linux-perf', 'util-linux', 'dropbear-bin', 'socat', 'libc6', 'libgcc-s1'],
      programs: [
        '/usr/bin/qemu-system-x86_64',
        '/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so',
        '/usr/bin/qemu-img',
        '/usr/lib/qemu/virtiofsd',
        '/bin/ip',
        '/usr/bin/perf',
        '/usr/bin/unshare',
        '/usr/sbin/dropbear',
        '/usr/bin/dropbearkey',
        '/usr/bin/socat',
      ],
      trees: ['/usr/share/seabios', '/usr/lib/ipxe/qemu', '/usr/share/qemu'],
      files: [],
      links: { '/sbin/ip': '/bin/ip' },
      modules: ['kvm_amd', 'virtio_pci', 'virtio_net', 'virtio_blk', 'tun', 'bridge', 'vhost_net', 'crc32c_generic', 'ext4'],
      alwaysLibs: ['libgcc_s.so.1'],
    });
    expect(KVM_LAB_RECIPE.hypervisor).toBeUndefined();
  });

  it('Xen lab: the hypervisor ELF, the toolstack from its real location, dom0 drivers, xl.conf, /usr/sbin links', () => {
    const r = xenLabRecipe();
    expect(r.variant).toBe('xen');
    expect(r.hypervisor).toEqual({ package: 'xen-hypervisor-4.17-amd64', file: '/boot/xen-4.17-amd64.gz' });
    expect(r.packages).toEqual(['xen-utils-4.17', 'xenstore-utils', 'bash', 'util-linux', 'dropbear-bin', 'socat', 'libc6', 'libgcc-s1']);
    expect(r.programs).toEqual([
      '/usr/lib/xen-4.17/bin/xl',
      '/usr/lib/xen-4.17/bin/xenconsoled',
      '/usr/lib/xen-4.17/bin/xen-init-dom0',
      '/usr/lib/xen-4.17/bin/xenstored',
      '/usr/lib/xen-4.17/bin/xenconsole',
      '/usr/lib/xen-4.17/bin/libxl-save-helper',
      '/usr/bin/xenstore-read',
      '/usr/bin/xenstore-ls',
      '/usr/lib/xen-4.17/bin/xentop',
      // The hotplug scripts (block): bash, flock, xenstore writes.
      '/bin/bash',
      '/usr/bin/flock',
      '/usr/bin/xenstore-write',
      '/usr/bin/xenstore-list',
      '/usr/sbin/dropbear',
      '/usr/bin/dropbearkey',
      '/usr/bin/socat',
    ]);
    expect(r.links).toEqual({
      '/usr/sbin/xl': '/usr/lib/xen-4.17/bin/xl',
      '/usr/sbin/xenconsoled': '/usr/lib/xen-4.17/bin/xenconsoled',
      '/usr/sbin/xen-init-dom0': '/usr/lib/xen-4.17/bin/xen-init-dom0',
      '/usr/sbin/xenstored': '/usr/lib/xen-4.17/bin/xenstored',
      '/usr/sbin/xentop': '/usr/lib/xen-4.17/bin/xentop',
    });
    expect(r.trees).toEqual(['/etc/xen/scripts']);
    expect(r.files).toEqual(['/etc/xen/xl.conf']);
    expect(r.modules).toEqual([
      'xenfs',
      'xen_privcmd',
      'xen_evtchn',
      'xen_gntdev',
      'xen_gntalloc',
      'xen_blkback',
      'xen_netback',
      'loop',
      'bridge',
      'tun',
      'virtio_pci',
      'virtio_net',
    ]);
    // glibc dlopens libgcc_s for pthread_cancel: xl create aborts without it.
    expect(r.alwaysLibs).toEqual(['libgcc_s.so.1']);
  });

  it('the HVM variant adds the device model, hvmloader, SeaBIOS, the option ROMs for direct kernel boot and the emulated NICs', () => {
    const r = xenLabRecipe({ hvm: true });
    expect(r.variant).toBe('xen-hvm');
    expect(r.packages).toEqual(expect.arrayContaining(['qemu-system-xen', 'seabios', 'qemu-system-data', 'ipxe-qemu']));
    expect(r.programs).toContain('/usr/libexec/xen-qemu-system-i386');
    expect(r.trees).toContain('/usr/share/seabios');
    expect(r.files).toEqual([
      '/etc/xen/xl.conf',
      '/usr/lib/xen-4.17/boot/hvmloader',
      '/usr/share/qemu/linuxboot_dma.bin',
      '/usr/share/qemu/linuxboot.bin',
      '/usr/share/qemu/kvmvapic.bin',
      '/usr/share/qemu/keymaps/en-us',
      '/usr/lib/ipxe/qemu/efi-e1000.rom',
      '/usr/lib/ipxe/qemu/efi-rtl8139.rom',
    ]);
    expect(labRecipeHash(r)).not.toBe(labRecipeHash(xenLabRecipe()));
  });

  it('labRecipe picks by name; canonical text ignores the key order of links', () => {
    expect(labRecipe('kvm')).toBe(KVM_LAB_RECIPE);
    expect(labRecipe('xen').variant).toBe('xen');
    expect(labRecipe('xen', { hvm: true }).variant).toBe('xen-hvm');
    const r = xenLabRecipe();
    const reordered = { ...r, links: Object.fromEntries(Object.entries(r.links).reverse()) };
    expect(canonicalLabRecipe(reordered)).toBe(canonicalLabRecipe(r));
    expect(labRecipeHash(r)).toMatch(/^[0-9a-f]{16}$/);
    expect(isLabName('kvm')).toBe(true);
    expect(isLabName('kvmm')).toBe(false);
  });

  it('assigns roles: kernel, hypervisor, busybox, the rest packages; sorted by name', () => {
    const pkg = (name: string) => ({ name, version: '1', arch: 'amd64' });
    const got = assignLabRoles(xenLabRecipe(), pkg('linux-image-6.1.0-9-amd64'), [
      pkg('socat'),
      pkg('xen-hypervisor-4.17-amd64'),
      pkg('busybox-static'),
      pkg('socat'),
    ]);
    expect(got.map((p) => [p.name, p.role])).toEqual([
      ['busybox-static', 'busybox'],
      ['linux-image-6.1.0-9-amd64', 'kernel'],
      ['socat', 'package'],
      ['xen-hypervisor-4.17-amd64', 'hypervisor'],
    ]);
  });
});
