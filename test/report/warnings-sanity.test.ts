import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type ReportModel } from '../../src/report/build.ts';
import type { ReportRun } from '../../src/report/input.ts';
import { overviewLatex } from '../../src/report/tables/overview-latex.ts';
import { overviewMarkdown } from '../../src/report/tables/overview-markdown.ts';
import { warningCounts } from '../../src/report/warnings.ts';
import { loadRealRun, REPORT_OPTIONS } from '../support/real-runs.ts';

// The sanity flags in a report of real runs: in the one warnings list beside the lab notice,
// and a guest faster than native as a footnote of its overview cell.
const options = REPORT_OPTIONS;
let local: ReportRun;
let model: ReportModel;

beforeAll(async () => {
  local = await loadRealRun('native-tcg-local');
  model = buildReport({ runs: [local], ...options, generatedAt: '2026-12-06T00:00:00Z' });
});

describe('the report of a native + tcg run', () => {
  it('lists a guest faster than native with its likely causes, and the CV outliers with the series they name', () => {
    const faster = model.warnings.filter((w) => w.kind === 'faster-than-native');
    expect(faster).toHaveLength(1);
    expect(faster[0]!.text).toMatch(
      /^tcg\/micro msPerOp=200 micro\.cpuid_ns ↓: tcg at 0\.0018× \[0\.0013, 0\.0026\] native.* Likely causes: tcg emulates the CPU \(the guest sees no hypervisor\).*virtual machine \(KVM\)/,
    );
    const cv = model.warnings.filter((w) => w.kind === 'cv-outlier');
    expect(cv).toHaveLength(1);
    expect(cv[0]!.items).toHaveLength(4);
    expect(warningCounts(model.warnings)).toMatchObject({ 'faster-than-native': 1, 'cv-outlier': 4, 'clock-drift': 0, lab: 0 });
  });

  it('footnotes the micro cell of the overview in the Markdown and LaTeX tables', () => {
    const cell = model.overview!.rows.find((r) => r.workload === 'micro')!.cells.tcg!;
    expect(cell.notes).toEqual([expect.stringMatching(/^faster than native beyond its interval \(0\.0018× \[0\.0013, 0\.0026\]\)/)]);
    expect(model.overview!.rows.find((r) => r.workload === 'cpu')!.cells.tcg!.notes).toEqual([]);
    const md = overviewMarkdown(model.overview!);
    expect(md).toMatch(/\| 0\.0018× \[0\.0013, 0\.0026\] ▲ better³ \|/);
    expect(md).toMatch(
      /\n- ³ tcg: faster than native beyond its interval \(0\.0018× \[0\.0013, 0\.0026\]\), a sanity flag: its likely causes are among the warnings\n/,
    );
    expect(overviewLatex(model.overview!, 'quick')).toMatch(/tcg: faster than native beyond its interval/);
  });
});

describe('the report of a lab run', () => {
  it('keeps the lab notice first, in its words, and adds no other flag where there is none', async () => {
    const lab = await loadRealRun('kvm-lab');
    const m = buildReport({ runs: [lab], ...options, generatedAt: '2026-12-06T00:00:00Z' });
    expect(m.warnings[0]).toEqual({
      kind: 'lab',
      text: 'Figures from lab host lab-kvm (a hypervisor nested under QEMU TCG) are functional checks, not performance data: they show that a backend works, not how fast it is.',
    });
    expect(m.warnings.filter((w) => ['faster-than-native', 'clock-drift', 'cv-outlier'].includes(w.kind))).toEqual([]);
  });

  it('names the run of each flag when a report pools runs', async () => {
    const second = await loadRealRun('native-tcg-local-2');
    const m = buildReport({ runs: [local, second], ...options, generatedAt: '2026-12-06T00:00:00Z' });
    const cv = m.warnings.filter((w) => w.kind === 'cv-outlier').map((w) => w.text.split(':')[0]);
    expect(cv).toEqual([local.record.id, second.record.id]);
  });
});
