import { describe, expect, it } from 'vitest';
import { backendNamesOutside, importCycles, importsOf, layerViolations } from './imports.ts';

const SRC = new URL('../../src/', import.meta.url).pathname;

describe('the layers of src/', () => {
  const edges = importsOf(SRC);

  it('finds the imports it checks', () => {
    expect(edges.length).toBeGreaterThan(500);
  });

  it('has no import that points up a layer or across backend families', () => {
    expect(layerViolations(edges)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(importCycles(edges)).toEqual([]);
  });

  it('names backends only inside src/backends/', () => {
    expect(backendNamesOutside(SRC)).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('see an import up the layers, across families and a cycle', () => {
    const edges = [
      { from: 'stats/a.ts', to: 'report/b.ts' },
      { from: 'backends/xen/vm.ts', to: 'backends/qemu/qmp.ts' },
      { from: 'backends/common/backend.ts', to: 'backends/qemu/tcg.ts' },
      { from: 'suite/x.ts', to: 'suite/y.ts' },
      { from: 'suite/y.ts', to: 'suite/x.ts' },
    ];
    expect(layerViolations(edges)).toHaveLength(3);
    expect(importCycles(edges)).toEqual([['suite/x.ts', 'suite/y.ts']]);
  });
});
