import { describe, expect, it } from 'vitest';
import { canonicalRecipe, DEFAULT_RECIPE, moduleName, recipeHash, segmentNames, toolCommands, TOOLS, validateRecipe } from '../../src/guest/recipe.ts';

describe('guest recipe', () => {
  it('has the kernel metapackage, static busybox, every I/O model driver and the workload tools', () => {
    expect(DEFAULT_RECIPE.kernel).toBe('linux-image-amd64');
    expect(DEFAULT_RECIPE.busybox).toBe('busybox-static');
    expect(DEFAULT_RECIPE.modules).toEqual(
      expect.arrayContaining(['virtio_blk', 'virtio_net', 'nvme', 'ata_piix', 'ahci', 'e1000', '8139cp', '8139too', 'xen_blkfront', 'xen_netfront', 'sd_mod']),
    );
    // The base archive carries no workload tool: a boot-only guest boots the least bytes.
    expect(toolCommands(DEFAULT_RECIPE)).toEqual([]);
    expect(toolCommands(DEFAULT_RECIPE, 'all')).toEqual(['sysbench', 'fio', 'stress-ng', 'cyclictest', 'hackbench', 'iperf3', 'sockperf', 'hvb-micro']);
    expect(DEFAULT_RECIPE.alwaysLibs).toContain('libgcc_s.so.1');
  });

  it('puts every tool group in its own segment', () => {
    expect(segmentNames(DEFAULT_RECIPE)).toEqual(['sysbench', 'fio', 'stress-ng', 'rt-tests', 'net', 'micro']);
    expect(toolCommands(DEFAULT_RECIPE, 'sysbench')).toEqual(['sysbench']);
    expect(toolCommands(DEFAULT_RECIPE, 'net')).toEqual(['iperf3', 'sockperf']);
    expect(toolCommands(DEFAULT_RECIPE, 'rt-tests')).toEqual(['cyclictest', 'hackbench']);
    expect(toolCommands(DEFAULT_RECIPE, 'micro')).toEqual(['hvb-micro']);
  });

  it('adds a tool with one entry', () => {
    const recipe = { ...DEFAULT_RECIPE, tools: [TOOLS.sysbench, TOOLS.fio, TOOLS.rtTests], programs: [] };
    expect(toolCommands(validateRecipe(recipe), 'all')).toEqual(['sysbench', 'fio', 'cyclictest', 'hackbench']);
  });

  it('treats xen-blkfront and xen_blkfront as the same module', () => {
    expect(moduleName('xen-blkfront')).toBe('xen_blkfront');
    const dashed = { ...DEFAULT_RECIPE, modules: DEFAULT_RECIPE.modules.map((m) => m.replace('_', '-')) };
    expect(recipeHash(dashed)).toBe(recipeHash(DEFAULT_RECIPE));
    expect(canonicalRecipe(dashed)).toBe(canonicalRecipe(DEFAULT_RECIPE));
  });

  it('rejects a bad recipe, naming the field', () => {
    expect(() => validateRecipe({ ...DEFAULT_RECIPE, tools: [{ package: 'fio', binaries: ['fio'] }] })).toThrow(
      'guest recipe: tools.0.binaries.0: an absolute path to a file',
    );
    expect(() => validateRecipe({ ...DEFAULT_RECIPE, kernel: 'Linux Image' })).toThrow(/guest recipe: kernel: a Debian package name/);
    expect(() => validateRecipe({ ...DEFAULT_RECIPE, tools: [{ package: 'fio', binaries: ['/usr/bin/fio'], segment: 'Big Tools' }] })).toThrow(
      /tools.0.segment: a segment name/,
    );
    expect(() => validateRecipe({ ...DEFAULT_RECIPE, programs: [{ name: 'x', source: '../x.c', segment: 'micro' }] })).toThrow(
      /programs.0.source: a C source file name/,
    );
  });
});
