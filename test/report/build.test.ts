import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.ts';
import { HOSTILE, reportInput, reportRun, runSamples } from './fixtures.ts';

const ID = '20260101-000000-fixture-aaaa';

describe('buildReport', () => {
  it('normalises to native by default, and not at all with reference null', () => {
    expect(buildReport(reportInput([reportRun(ID, '2026-01-01T00:00:00Z', runSamples(ID))])).reference).toBe('native');
    const plain = buildReport(reportInput([reportRun(ID, '2026-01-01T00:00:00Z', runSamples(ID))], { reference: null }));
    expect(plain.reference).toBeUndefined();
    expect(plain.summary.every((r) => r.ratio === undefined)).toBe(true);
  });

  it('refuses a reference no sample has, naming the ones there are', () => {
    expect(() => buildReport(reportInput([reportRun(ID, '2026-01-01T00:00:00Z', runSamples(ID))], { reference: 'kvmm' }))).toThrow(
      /--reference "kvmm": no sample has that backend; expected one of: kvm, native, tcg, xen, xen pvh, or none/,
    );
  });

  it('says that lab figures are functional checks, not performance data', () => {
    const model = buildReport(reportInput([reportRun(ID, '2026-01-01T00:00:00Z', runSamples(ID, { extraDims: { host_kind: 'lab', host: 'xen-lab' } }))]));
    expect(model.labHosts).toEqual(['xen-lab']);
    expect(model.warnings[0]!.kind).toBe('lab');
    expect(model.warnings[0]!.text).toMatch(/functional checks, not performance data/);
    const plain = buildReport(reportInput([reportRun(ID, '2026-01-01T00:00:00Z', runSamples(ID))]));
    expect(plain.labHosts).toEqual([]);
    expect(plain.warnings.some((w) => w.kind === 'lab')).toBe(false);
  });

  it('lists cases that did not complete, and a methodology from the provenance', () => {
    const run = reportRun(ID, '2026-01-01T00:00:00Z', runSamples(ID), [
      {
        id: 'xen/net/io=emulated',
        backend: 'xen',
        workload: 'net',
        status: 'skipped',
        repetitionsDone: 0,
        error: { message: `emulated NIC on a PVH guest ${HOSTILE}` },
      },
    ]);
    const model = buildReport(reportInput([run]));
    // A skip is expected (the backend cannot offer the case), not a failure: its own kind, with the cases it names.
    const skip = model.warnings.find((w) => w.kind === 'skip')!;
    expect(skip.text).toContain('1 case skipped: emulated NIC on a PVH guest <script>');
    expect(skip.items).toEqual(['xen/net/io=emulated']);
    expect(model.warnings.some((w) => w.kind === 'case')).toBe(false);
    const m = Object.fromEntries(model.methodology.map((i) => [i.label, i.lines.join('\n')]));
    expect(m.Hosts).toContain('Test CPU 9000, 8 logical CPUs, 4 cores, 16384 MiB memory, kernel 6.1.0-test');
    expect(m['Backends and versions']).toContain('qemu 7.2.22');
    expect(m['Guest image']).toContain('content hash feedface00112233, guest kernel 6.1.0-test-amd64');
    expect(m['Guest image']).toContain('package list not available');
    expect(m.Guest).toContain('vCPUs: 1');
    expect(m.Repetitions).toContain('repetitions 5, warm-up 0');
    expect(m['Statistical method']).toContain('Normalised to native');
    const withPackages = buildReport(
      reportInput([run], {
        images: [
          {
            id: 'img0123456789abc',
            packages: [
              { name: 'fio', version: '3.33-3', role: 'tool' },
              { name: 'libc6', version: '2.36', role: 'dependency' },
            ],
          },
        ],
      }),
    );
    expect(withPackages.methodology.find((i) => i.label === 'Guest image')!.lines.join('\n')).toContain('packages (Debian): fio 3.33-3; and 1 dependencies');
  });
});
