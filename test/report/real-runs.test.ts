import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type ReportModel } from '../../src/report/build.ts';
import { groupByMetric } from '../../src/report/groups.ts';
import { metricBars } from '../../src/report/normalise.ts';
import { writeReport } from '../../src/report/write.ts';
import { compareWithin, type CompareReport } from '../../src/stats/compare-report.ts';
import { groupSeries } from '../../src/stats/series.ts';
import { REPO } from '../support/cli.ts';
import { loadRealRun, REPORT_OPTIONS } from '../support/real-runs.ts';
import type { ReportRun } from '../../src/report/input.ts';
import { checkPage, launchChromium } from './browser.ts';

// compare and report on a run captured with the real CLI: native and tcg on this kind of
// machine, with every dimension such a run records (the guest's view of its platform, its
// clocksource that changes from boot to boot, native's host-file disk, skipped cases).
const ignore = REPORT_OPTIONS.ignore;
const ARTIFACTS = path.join(REPO, 'reports', 'test-artifacts');
const options = REPORT_OPTIONS;
let local: ReportRun;
let within: CompareReport;
let model: ReportModel;
let dir: string;

beforeAll(async () => {
  local = await loadRealRun('native-tcg-local');
  within = compareWithin({ id: local.record.id, samples: local.samples }, 'backend', 'native', options);
  model = buildReport({ runs: [local], ...options, generatedAt: '2026-12-06T00:00:00Z' });
  dir = await mkdtemp(path.join(tmpdir(), 'hvb-real-report-'));
  // Screenshots of the pages go where the page test puts its own (a fresh clone has no such folder).
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a real native + tcg run', () => {
  it('records the dimensions that used to split series: the guest sees KVM natively and none under TCG, and the clocksource changes between boots', () => {
    const seen = (dim: string, backend: string) => new Set(local.samples.filter((s) => s.dims.backend === backend).map((s) => String(s.dims[dim])));
    expect(seen('guest_hypervisor', 'tcg')).not.toEqual(seen('guest_hypervisor', 'native'));
    const tcgBoot = local.samples.filter((s) => s.dims.case === 'tcg/boot' && s.metric === 'boot.to_ready_ms');
    expect(tcgBoot).toHaveLength(3);
    // Such facts are notes: tcg/boot stays one series of 3 repetitions.
    const series = groupSeries(tcgBoot, ignore, 'within');
    expect(series).toHaveLength(1);
    expect(series[0]!.values).toHaveLength(3);
  });

  it("pairs every tcg series with native, the disk with native's host file, and leaves out only what native cannot run", () => {
    const disk = within.rows.filter((r) => r.dims.workload === 'disk');
    expect(disk.length).toBeGreaterThanOrEqual(8);
    for (const r of disk) expect([r.metric, r.deviceless, r.dims.disk_model]).toEqual([r.metric, true, 'virtio-blk']);
    // Unmatched: the network case (native has no NIC) and the I/O-port micro-cost (this host kernel has no ioperm).
    for (const u of within.unmatched.onlyB) expect(u).toMatch(/^tcg\/net |micro\.ioport_ns$/);
    expect(within.unmatched.onlyB.some((u) => u.endsWith('micro.ioport_ns'))).toBe(true);
  });

  it('calls an 8× gap at 3 repetitions from the interval: TCG runs sysbench cpu well below native', () => {
    const cpu = within.rows.find((r) => r.metric === 'cpu.events_per_s')!;
    expect(cpu.comparison.verdict).toBe('worse');
    expect(cpu.comparison.ratio!).toBeLessThan(0.25);
    expect(cpu.comparison.ratioCi!.hi).toBeLessThan(1);
    expect(cpu.comparison.ratioCi!.lo).toBeGreaterThan(0);
    // Intervals of positive quantities stay positive, even at n = 3 with a wide spread.
    for (const r of within.rows) if (r.comparison.ratioCi) expect(r.comparison.ratioCi.lo).toBeGreaterThan(0);
    for (const r of within.rows) if (r.a.ci95 && r.a.mean > 0 && r.a.min > 0) expect(r.a.ci95.lo).toBeGreaterThan(0);
  });

  it('normalises every chart of a workload native ran, per configuration, with native beside every disk model', () => {
    const metrics = groupByMetric(local.samples);
    for (const m of metrics) {
      const bars = metricBars(m, 'native');
      const workloads = new Set(m.groups.map((g) => String(g.dims.workload)));
      if (m.metric === 'micro.ioport_ns' || (workloads.size === 1 && workloads.has('net'))) {
        expect(bars.reference, m.metric).toBeUndefined();
        continue;
      }
      expect(bars.reference, m.metric).toBe('native');
      // Each column holds one native and one tcg bar: facts never split a column.
      for (const c of m.columns) {
        if (c.label.startsWith('net')) continue;
        expect(
          m.groups
            .filter((g) => g.columnKey === c.key)
            .map((g) => g.variant)
            .sort(),
          `${m.metric} ${c.label}`,
        ).toEqual(['native', 'tcg']);
      }
      expect(m.columns.map((c) => c.label).join(' '), m.metric).not.toMatch(/guest_|hypervisor|clocksource/);
    }
  });

  it("opens with the overview: one row per workload, the verdicts from the intervals, native's host file named as the disk reference", () => {
    const o = model.overview!;
    expect(o.reference).toBe('native');
    expect(o.variants).toEqual(['tcg']);
    expect(o.rows.map((r) => `${r.workload} ${r.metric}`)).toEqual([
      'boot boot.to_ready_ms',
      'cpu cpu.events_per_s',
      'memory memory.read_mib_s',
      'disk disk.seq_read_mib_s',
      'micro micro.cpuid_ns',
    ]);
    const row = (w: string) => o.rows.find((r) => r.workload === w)!.cells.tcg!;
    expect(row('cpu').verdict).toBe('worse');
    expect(row('memory').verdict).toBe('worse');
    // Guest CPUID is emulated in TCG's translator, while the host (itself a VM) exits to its hypervisor: TCG is far faster.
    expect(row('micro').verdict).toBe('better');
    expect(o.rows.find((r) => r.workload === 'disk')!.referenceNote).toMatch(/host file is the reference for every device model/);
    expect(model.charts[0]!.id).toBe('overview');
  });

  it('groups its warnings: the skipped network case is an expected skip, not a failure', () => {
    expect(model.warnings.filter((w) => w.kind === 'case')).toEqual([]);
    const skip = model.warnings.find((w) => w.kind === 'skip')!;
    expect(skip.items).toEqual(['native/net/io=paravirtual,timeSec=3']);
    expect(model.warnings.length).toBeLessThanOrEqual(8);
  });

  it('writes a page that draws every chart in Chromium without a console warning, and the overview tables', { timeout: 180_000 }, async () => {
    const written = await writeReport(model, dir, { figures: false });
    expect(written.files).toEqual(expect.arrayContaining(['index.html', 'overview.md', 'overview.tex', 'summary.md', 'summary.tex']));
    expect(await readFile(path.join(dir, 'overview.md'), 'utf8')).toContain('| tcg |');
    const browser = await launchChromium();
    try {
      const result = await checkPage(browser, path.join(dir, 'index.html'), path.join(ARTIFACTS, 'real-native-tcg.png'));
      expect(result.problems).toEqual([]);
      for (const c of result.charts) expect([c.id, c.rendered]).toEqual([c.id, 'true']);
      expect(result.text).toMatch(/Overview: every backend against native[\s\S]*cpu[\s\S]*WORSE|Overview: every backend against native[\s\S]*cpu[\s\S]*worse/);
    } finally {
      await browser.close();
    }
  });
});

describe('native and tcg here with Xen PV and PVH from the Xen lab, in one report', () => {
  let xen: ReportRun;
  let pooled: ReportModel;

  beforeAll(async () => {
    xen = await loadRealRun('xen-lab-pv-pvh');
    pooled = buildReport({ runs: [local, xen], ...options, generatedAt: '2026-12-06T00:00:00Z' });
  });

  it('records what Xen adds: guest types, dom0 kernel, scheduler, the guest seeing Xen, the lab host', () => {
    const dims = new Set(xen.samples.flatMap((s) => Object.keys(s.dims)));
    for (const d of ['guest_type', 'dom0_kernel', 'xen_scheduler', 'xen', 'guest_hypervisor', 'guest_clocksource', 'host_kind'])
      expect(dims.has(d), d).toBe(true);
    expect(new Set(xen.samples.map((s) => s.dims.guest_type))).toEqual(new Set(['pv', 'pvh']));
  });

  it("puts xen pv and xen pvh beside tcg against native, with the Xen disk on native's host file", () => {
    const o = pooled.overview!;
    expect(o.variants).toEqual(['xen pv', 'xen pvh', 'tcg']);
    for (const w of ['cpu', 'memory', 'disk', 'micro', 'boot']) {
      const row = o.rows.find((r) => r.workload === w)!;
      expect(Object.keys(row.cells).sort(), w).toEqual(['tcg', 'xen pv', 'xen pvh']);
    }
    const disk = o.rows.find((r) => r.workload === 'disk')!;
    expect(disk.cells['xen pv']!.device).toBe('xen-vbd');
    expect(disk.cells.tcg!.device).toBe('virtio-blk');
    expect(disk.referenceNote).toMatch(/host file/);
    // Facts of Xen (dom0 kernel, scheduler, the lab host) never split a column of a chart.
    for (const m of groupByMetric([...local.samples, ...xen.samples])) {
      expect(m.columns.map((c) => c.label).join(' '), m.metric).not.toMatch(/dom0|scheduler|lab|hypervisor|clocksource/);
    }
  });

  it('says what a reader must know: the runs are pooled, and the Xen figures come from a lab', () => {
    expect(pooled.pooled).toBe(true);
    expect(pooled.labHosts).toEqual(['lab-xen']);
    expect(pooled.warnings.map((w) => w.kind)).toEqual(expect.arrayContaining(['note', 'lab']));
  });

  it('draws the multi-backend page in Chromium without a console warning', { timeout: 180_000 }, async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'hvb-real-xen-'));
    try {
      await writeReport(pooled, out, { figures: false });
      const browser = await launchChromium();
      try {
        const result = await checkPage(browser, path.join(out, 'index.html'), path.join(ARTIFACTS, 'real-native-tcg-xen.png'));
        expect(result.problems).toEqual([]);
        for (const c of result.charts) expect([c.id, c.rendered]).toEqual([c.id, 'true']);
        expect(result.text).toContain('xen pvh');
      } finally {
        await browser.close();
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe('kvm from the KVM lab with native and tcg from here', () => {
  let kvm: ReportRun;
  let model3: ReportModel;

  beforeAll(async () => {
    kvm = await loadRealRun('kvm-lab');
    model3 = buildReport({ runs: [local, kvm], ...options, generatedAt: '2026-12-06T00:00:00Z' });
  });

  it('records that the guest saw KVM with kvm-clock, in a lab host', () => {
    const facts = (dim: string) => new Set(kvm.samples.filter((s) => s.dims.backend === 'kvm').map((s) => String(s.dims[dim])));
    expect(facts('guest_hypervisor')).toEqual(new Set(['KVM']));
    expect(facts('accel')).toEqual(new Set(['kvm']));
    expect(facts('host_kind')).toEqual(new Set(['lab']));
  });

  it("compares kvm with native on every workload it completed, the disk on native's host file, and names the micro case that failed", () => {
    const o = model3.overview!;
    expect(o.variants).toEqual(['kvm', 'tcg']);
    for (const w of ['boot', 'cpu', 'memory', 'disk']) expect(o.rows.find((r) => r.workload === w)!.cells.kvm, w).toBeDefined();
    expect(o.rows.find((r) => r.workload === 'disk')!.cells.kvm!.device).toBe('virtio-blk');
    // kvm/micro failed in the nested lab (a GP fault in the port-I/O loop): no kvm cell, and the failure is on the page.
    expect(o.rows.find((r) => r.workload === 'micro')!.cells.kvm).toBeUndefined();
    expect(
      model3.warnings
        .filter((w) => w.kind === 'case')
        .map((w) => w.text)
        .join('\n'),
    ).toMatch(/kvm\/micro/);
    expect(model3.labHosts).toEqual(['lab-kvm']);
  });
});
