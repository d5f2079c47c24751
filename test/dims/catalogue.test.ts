import { describe, expect, it } from 'vitest';
import { backends } from '../../src/backends/registry.ts';
import { dimDef, ioPathKnob, isCatalogued, isDeviceDim, roleOf, variantOf } from '../../src/dims/catalogue.ts';
import type { Sample } from '../../src/results/sample.ts';
import { DEFAULT_IGNORED_DIMS, matchBy } from '../../src/stats/series.ts';
import { loadRealRun } from '../support/real-runs.ts';

const RUNS = ['native-tcg-local', 'native-tcg-local-2', 'xen-lab-pv-pvh', 'kvm-lab', 'io-paths-native-tcg', 'explain-native-tcg'];

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

  it('treats the device parameters, the disk I/O path among them, as device dimensions: native stays the reference for each', () => {
    for (const p of ['io', 'device', 'aio', 'cache', 'iothread', 'queues']) {
      expect(isDeviceDim(`param.${p}`), p).toBe(true);
      expect(roleOf(`param.${p}`), p).toBe('configuration');
    }
    expect(isDeviceDim('param.queueDepth')).toBe(false);
  });

  it('pairs the native disk case with every I/O path of a backend, and the paths with each other', () => {
    const sample = (backend: string, value: number, path: Record<string, string | number | boolean>, rep: number): Sample => ({
      metric: 'disk.rand_read_iops',
      value,
      unit: 'IOPS',
      better: 'higher',
      dims: {
        run: 'r',
        rep,
        backend,
        workload: 'disk',
        host: 'local',
        case: `${backend}/disk/${JSON.stringify(path)}`,
        io: backend === 'native' ? 'none' : 'paravirtual',
        disk_model: backend === 'native' ? 'host-file' : 'virtio-blk',
        'param.sizeMiB': 64,
        ...Object.fromEntries(Object.entries(path).map(([k, v]) => [`param.${k}`, v])),
      },
      ts: '2026-01-01T00:00:00Z',
    });
    const paths: Record<string, string | number | boolean>[] = [
      { aio: 'threads', iothread: false },
      { aio: 'io_uring', iothread: false },
      { aio: 'threads', iothread: true },
      { aio: 'threads', iothread: false, queues: 2 },
    ];
    const samples = [
      ...[1, 2].map((rep) => sample('native', 9000, paths[0]!, rep)),
      ...paths.flatMap((path, i) => [1, 2].map((rep) => sample('tcg', 1000 + i, path, rep))),
    ];
    const ignore = new Set(DEFAULT_IGNORED_DIMS);
    const byBackend = matchBy(samples, 'backend', 'native', ignore);
    expect(byBackend.unmatched).toEqual([]);
    expect(byBackend.pairs.map((p) => [p.a.dims.backend, p.b.values[0], p.deviceless])).toEqual([
      ['native', 1000, true],
      ['native', 1001, true],
      ['native', 1002, true],
      ['native', 1003, true],
    ]);
    const byAio = matchBy(samples, 'param.aio', 'threads', ignore);
    expect(byAio.pairs.map((p) => [p.a.values[0], p.b.values[0]])).toEqual([[1000, 1001]]);
  });
});

describe('the I/O path knobs', () => {
  it('marks the disk path and vhost parameters as knobs, each with the value it is measured against', () => {
    expect(ioPathKnob('param.aio')).toEqual({ label: 'aio', base: 'threads' });
    expect(ioPathKnob('param.cache')?.base).toBe('none');
    expect(ioPathKnob('param.iothread')?.base).toBe('false');
    expect(ioPathKnob('param.queues')?.base).toBe('1');
    expect(ioPathKnob('param.vhost')?.base).toBe('off');
    // The shared folder as the case ran it (virtiofs, 9p) against ext4 on a virtio-blk disk.
    expect(ioPathKnob('share')).toEqual({ label: 'shared folder', base: 'block' });
    // The device class and model are what the paravirtual-vs-emulated chart compares, not a knob.
    for (const d of ['param.io', 'param.device', 'io', 'disk_model', 'param.sizeMiB', 'backend']) expect(ioPathKnob(d), d).toBeUndefined();
  });
});
