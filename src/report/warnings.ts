import type { Sample } from '../results/sample.ts';
import { outlierWarning } from '../stats/outliers.ts';
import type { ReportRun } from './input.ts';
import type { MetricBars } from './normalise.ts';

/** What a reader must know before trusting a figure: lab hosts, cases that did not run, outliers, other notes. */

export interface ReportWarning {
  kind: 'lab' | 'run' | 'case' | 'outlier' | 'network' | 'note';
  text: string;
}

/** True when a sample was measured in a nested lab host (dimension `host_kind: lab`). */
export function isLabSample(s: Sample): boolean {
  return s.dims.host_kind === 'lab';
}

/** The names of lab hosts: from the samples' `host` dimension, and hosts the run records mark as `kind: 'lab'`. */
export function labHosts(runs: readonly ReportRun[]): string[] {
  const names = new Set<string>();
  for (const run of runs) {
    for (const s of run.samples) if (isLabSample(s)) names.add(String(s.dims.host ?? 'unnamed host'));
    for (const h of run.record.hosts) if ((h as { kind?: unknown }).kind === 'lab') names.add(h.name);
  }
  return [...names].sort();
}

export function collectWarnings(runs: readonly ReportRun[], metrics: readonly MetricBars[]): ReportWarning[] {
  const out: ReportWarning[] = [];
  const labs = labHosts(runs);
  if (labs.length > 0) {
    out.push({ kind: 'lab', text: `Figures from lab host${labs.length > 1 ? 's' : ''} ${labs.join(', ')} (a hypervisor nested under QEMU TCG) are functional checks, not performance data: they show that a backend works, not how fast it is.` });
  }
  for (const run of runs) {
    const r = run.record;
    if (r.status !== 'completed') out.push({ kind: 'run', text: `run ${r.id} is ${r.status}${r.error ? `: ${r.error.message}` : ''}; its figures cover only what was measured` });
    for (const w of run.warnings) out.push({ kind: 'run', text: w });
    for (const c of r.cases) {
      if (c.status === 'completed') continue;
      const why = c.error ? `: ${c.error.message}${c.error.hint ? ` (${c.error.hint})` : ''}` : '';
      out.push({ kind: 'case', text: `${r.id}: case ${c.id} ${c.status}${why}${c.repetitionsDone > 0 ? ` after ${c.repetitionsDone} of ${c.repetitions} repetitions` : ''}` });
    }
  }
  const slirp = new Set(runs.flatMap((r) => r.samples.filter((s) => s.dims.net_attach === 'user').map((s) => String(s.dims.case ?? s.metric))));
  if (slirp.size > 0) out.push({ kind: 'network', text: `${slirp.size} network case(s) ran on QEMU user-mode networking (net_attach: user): their figures measure slirp, not the NIC: ${[...slirp].sort().join(', ')}` });
  for (const m of metrics) {
    if (m.note) out.push({ kind: 'note', text: m.note });
    for (const b of m.bars) {
      const reps = b.group.reps.every((r) => r !== undefined) ? (b.group.reps as number[]) : undefined;
      const w = outlierWarning(`${b.group.variant} ${b.group.column} ${m.metric.metric}`, b.group.values, reps);
      if (w) out.push({ kind: 'outlier', text: w });
    }
  }
  return out;
}
