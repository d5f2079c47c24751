import type { HostTuningRecord } from '../results/run-record.ts';
import type { Sample } from '../results/sample.ts';
import type { CompareReport } from '../stats/compare-report.ts';
import { outlierWarning } from '../stats/outliers.ts';
import { flagText, type SanityFlag, type SanityKind } from '../stats/sanity.ts';
import { labFlag } from '../stats/sanity-lab.ts';
import { measuredFlags } from '../stats/sanity-run.ts';
import type { ReportRun } from './input.ts';
import type { MetricBars } from './normalise.ts';

/** What a reader must know before trusting a figure: lab hosts, cases that did not run, outliers, other notes. */

export interface ReportWarning {
  /** `skip`: a case that could not run here by design (native has no NIC, a backend this host lacks): expected, not a failure. */
  /** `busy-host`: repetitions during which other processes used the host's CPUs (the run's host state). */
  /** The sanity flags (`lab`, `faster-than-native`, `clock-drift`, `cv-outlier`) are warnings of their own kind, in this one list. */
  /** `equivalence`: compared sides whose guests differ in a field that must match (the equivalence manifest). */
  kind: SanityKind | 'run' | 'case' | 'skip' | 'outlier' | 'network' | 'note' | 'busy-host' | 'equivalence';
  text: string;
  /** When several warnings of one kind say the same thing: each item they name. */
  items?: string[];
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

/**
 * Every warning of a report. `comparison`: the report's comparison, whose sanity flags on
 * its rows (a guest faster than native) join those of the runs' own samples.
 */
export function collectWarnings(runs: readonly ReportRun[], metrics: readonly MetricBars[], comparison?: CompareReport): ReportWarning[] {
  const out: ReportWarning[] = [];
  const lab = labFlag(labHosts(runs));
  if (lab) out.push(flagWarning(lab));
  const skips = new Map<string, string[]>();
  for (const run of runs) {
    const r = run.record;
    if (r.status !== 'completed')
      out.push({ kind: 'run', text: `run ${r.id} is ${r.status}${r.error ? `: ${r.error.message}` : ''}; its figures cover only what was measured` });
    for (const w of run.warnings) out.push({ kind: 'run', text: w });
    for (const c of r.cases) {
      if (c.status === 'completed') continue;
      if (c.status === 'skipped') {
        const why = c.error?.message ?? 'skipped';
        (skips.get(why) ?? skips.set(why, []).get(why)!).push(runs.length > 1 ? `${r.id}: ${c.id}` : c.id);
        continue;
      }
      const why = c.error ? `: ${c.error.message}${c.error.hint ? ` (${c.error.hint})` : ''}` : '';
      out.push({
        kind: 'case',
        text: `${r.id}: case ${c.id} ${c.status}${why}${c.repetitionsDone > 0 ? ` after ${c.repetitionsDone} of ${c.repetitions} repetitions` : ''}`,
      });
    }
  }
  out.push(...busyHostWarnings(runs));
  const rowFlags = (comparison?.flags ?? []).filter((f) => f.kind === 'faster-than-native');
  const measured = measuredFlags(runs.map((r) => ({ id: r.record.id, samples: r.samples })));
  out.push(...[...rowFlags, ...measured].map(flagWarning));
  for (const [why, cases] of skips) out.push({ kind: 'skip', text: `${cases.length} case${cases.length === 1 ? '' : 's'} skipped: ${why}`, items: cases });
  const slirp = new Set(runs.flatMap((r) => r.samples.filter((s) => s.dims.net_attach === 'user').map((s) => String(s.dims.case ?? s.metric))));
  if (slirp.size > 0)
    out.push({
      kind: 'network',
      text: `${slirp.size} network case(s) ran on QEMU user-mode networking (net_attach: user): their figures measure slirp, not the NIC`,
      items: [...slirp].sort(),
    });
  // One note per reason, naming the metrics it concerns.
  const notes = new Map<string, string[]>();
  for (const m of metrics) if (m.note) (notes.get(m.note) ?? notes.set(m.note, []).get(m.note)!).push(m.metric.metric);
  for (const [note, names] of notes) out.push({ kind: 'note', text: `${names.length} metric${names.length === 1 ? '' : 's'} ${note}`, items: names });
  const outliers: string[] = [];
  for (const m of metrics) {
    for (const b of m.bars) {
      if (b.group.deviceless && m.bars.some((x) => x !== b && x.group === b.group)) continue;
      const reps = b.group.reps.every((r) => r !== undefined) ? (b.group.reps as number[]) : undefined;
      const w = outlierWarning(`${b.group.variant} ${b.group.column} ${m.metric.metric}`, b.group.values, reps);
      if (w && !outliers.includes(w)) outliers.push(w);
    }
  }
  for (const w of outliers) out.push({ kind: 'outlier', text: w });
  return out;
}

/** A sanity flag as a warning: its kind, its text with the likely causes. */
export function flagWarning(flag: SanityFlag): ReportWarning {
  return { kind: flag.kind, text: flagText(flag), ...(flag.items && flag.items.length > 0 ? { items: flag.items } : {}) };
}

/** Counts by kind, for the page's heading (`2 failed cases, 3 expected skips, …`). */
export function warningCounts(warnings: readonly ReportWarning[]): Record<ReportWarning['kind'], number> {
  const counts = {
    lab: 0,
    run: 0,
    case: 0,
    skip: 0,
    outlier: 0,
    network: 0,
    note: 0,
    'busy-host': 0,
    equivalence: 0,
    'faster-than-native': 0,
    'clock-drift': 0,
    'cv-outlier': 0,
  };
  for (const w of warnings) counts[w.kind] += w.items?.length ?? 1;
  return counts;
}

/** One warning per run and host whose busy-host check flagged repetitions, naming each (`case rep n`). */
export function busyHostWarnings(runs: readonly ReportRun[]): ReportWarning[] {
  const out: ReportWarning[] = [];
  for (const run of runs) {
    for (const h of run.record.hosts) {
      const busy = (h as { tuning?: HostTuningRecord }).tuning?.busy;
      if (!busy || busy.flagged.length === 0) continue;
      const most = Math.max(...busy.flagged.map((f) => f.otherCpuS / f.wallS));
      out.push({
        kind: 'busy-host',
        text: `${run.record.id} on ${h.name}: other processes used more than ${busy.thresholdCpus} CPUs on average during ${busy.flagged.length} of ${busy.checked} repetitions (up to ${most.toFixed(2)} CPUs): their figures may carry that load`,
        items: busy.flagged.map((f) => `${f.caseId} ${f.warmup ? 'warm-up' : 'rep'} ${f.rep} (${(f.otherCpuS / f.wallS).toFixed(2)} CPUs)`),
      });
    }
  }
  return out;
}
