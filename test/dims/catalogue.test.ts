import { describe, expect, it } from 'vitest';
import { backends } from '../../src/backends/registry.ts';
import { dimDef, isCatalogued, roleOf, variantOf } from '../../src/dims/catalogue.ts';
import { loadRealRun } from '../support/real-runs.ts';

const RUNS = ['native-tcg-local', 'native-tcg-local-2', 'xen-lab-pv-pvh', 'kvm-lab'];

describe('the dimension catalogue', () => {
  it.each(RUNS)('has every dimension the real run %s records (workload parameters aside)', async (name) => {
    const run = await loadRealRun(name);
    const dims = new Set(run.samples.flatMap((s) => Object.keys(s.dims)));
    expect(dims.size).toBeGreaterThan(10);
    expect([...dims].filter((d) => !d.startsWith('param.') && !isCatalogued(d))).toEqual([]);
  });

  it("has each backend's variant dimension as a variant, and its fact dimensions as provenance or facts", () => {
    for (const backend of Object.values(backends)) {
      if (backend.variants) expect(roleOf(backend.variants.dim), backend.name).toBe('variant');
      for (const d of backend.factDims) expect(['provenance', 'follows'], `${backend.name}: ${d}`).toContain(roleOf(d));
    }
  });

  it('names a variant by every variant dimension a sample has', () => {
    expect(variantOf({ backend: 'xen', guest_type: 'pvh' })).toBe('xen pvh');
    expect(variantOf({ backend: 'tcg', machine: 'microvm' })).toBe('tcg microvm');
    expect(variantOf({ backend: 'tcg' })).toBe('tcg');
    expect(dimDef('machine').label).toBe('QEMU machine type');
  });

  it('treats an unknown dimension as configuration: matched, never pooled', () => {
    expect(roleOf('pinning_guess')).toBe('configuration');
    expect(roleOf('param.threads')).toBe('configuration');
  });
});
