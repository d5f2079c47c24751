import { describe, expect, it } from 'vitest';
import { formatModulesDep, modinfoDepends, orderModules, parseModinfo, planModules, type ModuleSource } from '../../src/guest/kmod.ts';
import { modinfo, relocatableElf } from './fixtures/elf.ts';

const KVER = '6.1.0-99-amd64';

describe('.modinfo parsing', () => {
  it('reads key=value strings and normalises depends= names to underscores', () => {
    const ko = relocatableElf({ '.modinfo': modinfo({ license: 'GPL', depends: 'nvme-core,t10-pi', name: 'nvme', alias: 'pci:v*' }) });
    const info = parseModinfo(ko, 'nvme.ko');
    expect(info.get('name')).toEqual(['nvme']);
    expect(modinfoDepends(info)).toEqual(['nvme_core', 't10_pi']);
  });

  it('gives no dependencies for an empty depends=', () => {
    expect(modinfoDepends(parseModinfo(relocatableElf({ '.modinfo': modinfo({ depends: '' }) })))).toEqual([]);
  });

  it('fails clearly on a module without .modinfo', () => {
    expect(() => parseModinfo(relocatableElf({ '.text': Buffer.alloc(4) }), 'odd.ko')).toThrow('odd.ko has no .modinfo section');
  });
});

describe('module load order', () => {
  it('puts every dependency before the modules needing it', () => {
    const graph = new Map([
      ['sd_mod', ['scsi_mod', 't10_pi']],
      ['scsi_mod', ['scsi_common']],
      ['t10_pi', ['crc_t10dif']],
      ['scsi_common', []],
      ['crc_t10dif', []],
    ]);
    expect(orderModules(graph, ['sd_mod'])).toEqual(['scsi_common', 'scsi_mod', 'crc_t10dif', 't10_pi', 'sd_mod']);
  });

  it('lists a shared dependency once', () => {
    const graph = new Map([
      ['a', ['c']],
      ['b', ['c']],
      ['c', []],
    ]);
    expect(orderModules(graph, ['a', 'b'])).toEqual(['c', 'a', 'b']);
  });

  it('rejects a cycle and names the modules in it', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
    ]);
    expect(() => orderModules(graph, ['a'])).toThrow('kernel modules depend on each other in a cycle: a -> b -> c -> a');
  });
});

function fakeSource(modules: Record<string, string[]>, builtin: string[]): ModuleSource {
  return {
    isBuiltin: (n) => builtin.includes(n),
    path: (n) => (n in modules ? `kernel/drivers/${n.replaceAll('_', '-')}.ko` : undefined),
    depends: async (n) => modules[n] ?? [],
  };
}

describe('module plan', () => {
  const source = fakeSource({ virtio_blk: ['virtio', 'virtio_ring'], virtio: ['virtio_ring'], virtio_ring: [], xen_blkfront: [] }, ['virtio_pci', 'sd_mod']);

  it('makes one load list per requested module, dependencies first, empty for built-ins', async () => {
    const plan = await planModules(['virtio_blk', 'xen-blkfront', 'sd_mod'], source, KVER);
    const dir = `/lib/modules/${KVER}/kernel/drivers`;
    expect(plan.loadLists.get('virtio_blk')).toEqual([`${dir}/virtio-ring.ko`, `${dir}/virtio.ko`, `${dir}/virtio-blk.ko`]);
    expect(plan.loadLists.get('xen_blkfront')).toEqual([`${dir}/xen-blkfront.ko`]);
    expect(plan.loadLists.get('sd_mod')).toEqual([]);
    expect(plan.modules.find((m) => m.name === 'sd_mod')).toEqual({ name: 'sd_mod', builtin: true, depends: [] });
    expect(plan.modules.find((m) => m.name === 'virtio')).toEqual({ name: 'virtio', builtin: false, path: `${dir}/virtio.ko`, depends: ['virtio_ring'] });
    expect(plan.files).toEqual(['kernel/drivers/virtio-blk.ko', 'kernel/drivers/virtio-ring.ko', 'kernel/drivers/virtio.ko', 'kernel/drivers/xen-blkfront.ko']);
  });

  it('skips built-in dependencies in load lists', async () => {
    const plan = await planModules(['ahci'], fakeSource({ ahci: ['libata'] }, ['libata']), KVER);
    expect(plan.loadLists.get('ahci')).toEqual([`/lib/modules/${KVER}/kernel/drivers/ahci.ko`]);
  });

  it('names a module the kernel does not have', async () => {
    await expect(planModules(['nosuch'], source, KVER)).rejects.toThrow(`kernel ${KVER} has no module nosuch`);
  });

  it('writes modules.dep with all transitive dependencies, the first to load last', async () => {
    const plan = await planModules(['virtio_blk'], source, KVER);
    expect(formatModulesDep(plan.modules, KVER)).toBe(
      [
        'kernel/drivers/virtio-blk.ko: kernel/drivers/virtio.ko kernel/drivers/virtio-ring.ko',
        'kernel/drivers/virtio-ring.ko:',
        'kernel/drivers/virtio.ko: kernel/drivers/virtio-ring.ko',
        '',
      ].join('\n'),
    );
  });
});
