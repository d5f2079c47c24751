import { configurationLabels } from '../dims/labels.ts';
import type { Sample } from '../results/sample.ts';
import { explainRuns, type ExplainedCase } from '../stats/explained-cases.ts';
import type { CompareRow } from '../stats/compare-row.ts';
import { dimDef, isDeviceDim } from '../dims/catalogue.ts';
import { sortVariants } from './palette.ts';

/**
 * "Where the time goes": the explained-overhead model (stats/explained.ts) on the runs'
 * counted steps, one row per variant, workload configuration and step, in the order of the
 * other sections (workload, configuration, step, then variant). Only when the runs hold
 * event counts with the steps' throughput beside them (`run --count-events`).
 */

export interface ExplainedRow extends ExplainedCase {
  /** The variant's backend, for colours and order. */
  backend: string;
  /** What tells the rows of one workload apart: the device model (`ide`), then other dimensions (`queueDepth=32`); '' when nothing does. */
  configurationLabel: string;
  /** `kvm · disk (ide) · randread`. */
  label: string;
}

export interface Explained {
  /** The variant the gaps are to (`native`); undefined when the runs have none (a lab): events' time as a share of the step's then. */
  reference: string | undefined;
  variants: string[];
  rows: ExplainedRow[];
}

export function buildExplained(samples: readonly Sample[], reference: string | undefined, seed: number): Explained | undefined {
  if (!samples.some((s) => s.metric.startsWith('events.'))) return undefined;
  // Only the measured steps: those with a throughput (events.<step>.work_per_s) in some case of
  // the workload. Every step is counted, so the set-up ones (mounting, a NIC's address, printing
  // fio's report) and micro's, which has none, would crowd out the ones that matter.
  const measured = new Set(
    samples.filter((s) => /^events\.[a-z0-9_-]+\.work_per_s$/.test(s.metric)).map((s) => `${String(s.dims.workload)}\n${s.metric.split('.')[1]}`),
  );
  const cases = explainRuns(samples, { reference, seed }).filter((c) => measured.has(`${c.workload}\n${c.step}`));
  if (cases.length === 0) return undefined;
  const variants = sortVariants(cases.map((c) => ({ variant: c.variant, backend: c.variant.split(' ')[0]! })));
  const labels = new Map<string, string>();
  for (const workload of new Set(cases.map((c) => c.workload))) {
    const of = cases.filter((c) => c.workload === workload);
    // The device model by its name (`ide`), the other dimensions where they tell the cases apart.
    const configs = of.map((c) => Object.fromEntries(Object.entries(c.configuration).filter(([k]) => !isDeviceDim(k))));
    configurationLabels(configs, () => '').forEach((l, i) => {
      const c = of[i]!.configuration;
      const device = [c.disk_model, c.nic_model].filter((v) => v !== undefined).map(String);
      labels.set(JSON.stringify(Object.entries(c)), [...device, ...(l === '' ? [] : [l])].join(', '));
    });
  }
  const rows = cases.map((c): ExplainedRow => {
    const configurationLabel = labels.get(JSON.stringify(Object.entries(c.configuration))) ?? '';
    const what = configurationLabel === '' ? c.workload : `${c.workload} (${configurationLabel})`;
    return {
      ...c,
      backend: c.variant.split(' ')[0]!,
      configurationLabel,
      label: c.step === c.workload ? `${c.variant} · ${what}` : `${c.variant} · ${what} · ${c.step}`,
    };
  });
  const rank = (v: string) => variants.indexOf(v);
  rows.sort(
    (a, b) =>
      cmp(a.workload, b.workload) ||
      cmp(a.configurationLabel, b.configurationLabel) ||
      stepRank(a.step) - stepRank(b.step) ||
      cmp(a.step, b.step) ||
      rank(a.variant) - rank(b.variant),
  );
  return rows.some((r) => r.variant !== reference) ? { reference, variants, rows } : undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The steps in the order the workloads run them (fio's, net's), others after. */
const STEP_ORDER = ['cpu', 'seqread', 'seqwrite', 'randread', 'randwrite', 'net-tx', 'net-rx', 'net-rr'];
function stepRank(step: string): number {
  const i = STEP_ORDER.indexOf(step);
  return i < 0 ? STEP_ORDER.length : i;
}

/** The explained share for the overview: of the case whose step throughput is this row's headline metric. */
export interface ExplainedShare {
  share: number;
  lo: number | undefined;
  hi: number | undefined;
  overExplained: boolean;
  step: string;
}

/**
 * The share for an overview row: the modelled step of the same variant and configuration
 * whose throughput is the row's metric (its mean is the headline's mean: the runner wrote it
 * from the same values), when there is one.
 */
export function explainedShareOf(explained: Explained | undefined, row: CompareRow): ExplainedShare | undefined {
  if (!explained || row.value === undefined) return undefined;
  const config = Object.entries(row.dims).filter(([k]) => dimDef(k).role === 'configuration');
  for (const r of explained.rows) {
    if (r.variant !== row.value || r.model?.share === undefined || !r.work) continue;
    if (!config.every(([k, v]) => r.configuration[k] === undefined || r.configuration[k] === v)) continue;
    if (Math.abs(r.work.b - row.b.mean) > 1e-9 * Math.abs(row.b.mean)) continue;
    return { share: r.model.share, lo: r.model.shareCi?.lo, hi: r.model.shareCi?.hi, overExplained: r.model.overExplained, step: r.step };
  }
  return undefined;
}
