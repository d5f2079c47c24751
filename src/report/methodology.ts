import { VARIANT_DIMS } from '../dims/catalogue.ts';
import { DEFAULT_PERMUTATIONS } from '../stats/permutation.ts';
import { OUTLIER_THRESHOLD } from '../stats/outliers.ts';
import { SETTING_LABELS, type HostTuningRecord, type SettingReading } from '../results/run-record.ts';
import type { ReportInput, ReportRun } from './input.ts';

/**
 * The methodology section, generated from the provenance the runs recorded: hosts,
 * hypervisor versions, the guest image and its packages, the guest's size, repetitions,
 * and the statistical method. Plain strings: the page and the tables escape them.
 */

export interface MethodologyItem {
  label: string;
  lines: string[];
}

export function methodology(input: ReportInput, allRuns: readonly ReportRun[], normalisedTo: string | undefined): MethodologyItem[] {
  const items: MethodologyItem[] = [];
  const hosts = new Map<string, string>();
  for (const r of allRuns) {
    for (const h of r.record.hosts) {
      const kind = (h as { kind?: unknown }).kind === 'lab' ? ' — a lab host (functional checks only)' : '';
      const cores = h.cores === undefined ? '' : `, ${h.cores} cores`;
      hosts.set(
        `${h.name}\u0000${h.cpuModel}\u0000${h.kernel}`,
        `${h.name}: ${h.cpuModel}, ${h.cpus} logical CPUs${cores}, ${h.memoryMiB} MiB memory, kernel ${h.kernel}, ${h.os} (${h.arch}); hardware virtualization ${h.virtualization}; ${h.underHypervisor ? 'itself a virtual machine' : 'not under a hypervisor'}${kind}`,
      );
    }
  }
  items.push({ label: 'Hosts', lines: hosts.size > 0 ? [...hosts.values()] : ['not recorded'] });
  items.push({ label: 'Host state', lines: hostStateLines(allRuns) });

  const backends = new Map<string, string>();
  for (const r of allRuns) {
    for (const b of r.record.backends) {
      const facts = Object.entries(b.facts)
        .filter(([k]) => k !== 'qemuBinary')
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      backends.set(`${b.backend}\u0000${b.host}\u0000${facts}`, `${b.backend} on ${b.host}: ${b.reason}${facts ? ` (${facts})` : ''}`);
    }
  }
  items.push({
    label: 'Backends and versions',
    lines: [...backends.values(), ...dimValues(allRuns, ['qemu', 'xen']).map(([k, v]) => `${k} versions in the samples: ${v.join(', ')}`)],
  });

  const images = new Map<string, string>();
  for (const r of allRuns) {
    const img = r.record.image;
    if (img) images.set(img.id, `image ${img.id}, content hash ${img.hash}${img.kernelVersion ? `, guest kernel ${img.kernelVersion}` : ''}`);
  }
  const imageLines = [...images.values()];
  for (const img of input.images ?? []) {
    const listed = img.packages.filter((p) => p.role !== 'dependency');
    const deps = img.packages.length - listed.length;
    imageLines.push(
      `image ${img.id} packages (Debian): ${listed.map((p) => `${p.name} ${p.version}`).join(', ')}${deps > 0 ? `; and ${deps} dependencies` : ''}`,
    );
  }
  const withoutManifest = [...images.keys()].filter((id) => !(input.images ?? []).some((i) => i.id === id));
  if (withoutManifest.length > 0)
    imageLines.push(
      `package list not available for image ${withoutManifest.join(', ')} (its manifest is not in this machine's image cache; \`hvbench image info --id <id>\` shows it where it is)`,
    );
  items.push({ label: 'Guest image', lines: imageLines.length > 0 ? imageLines : ['not recorded'] });

  const vcpus = dimValues(allRuns, ['vcpus', 'memory_mib', ...VARIANT_DIMS.filter((d) => d !== 'backend')]);
  items.push({
    label: 'Guest',
    lines:
      vcpus.length > 0
        ? vcpus.map(([k, v]) => `${k === 'memory_mib' ? 'memory (MiB)' : k === 'vcpus' ? 'vCPUs' : 'guest type'}: ${v.join(', ')}`)
        : ['not recorded'],
  });

  items.push({ label: 'Runs', lines: allRuns.map((r) => runLine(r, r === input.baseline)) });
  items.push({ label: 'Repetitions', lines: allRuns.map(repetitionLine) });

  const level = '95 %';
  items.push({
    label: 'Statistical method',
    lines: [
      `Bars and table rows: mean of the repetitions with its ${level} confidence interval (t with n − 1 degrees of freedom, on the log scale when every value is positive, so it stays above 0); CV = sd / mean.`,
      normalisedTo === undefined
        ? 'Values are shown in their own units (not normalised).'
        : `Normalised to ${normalisedTo}: each mean is divided by the ${normalisedTo} mean of the same configuration; the interval of the ratio is a Welch t interval on the log of the ratio (delta method), transformed back; ${normalisedTo}'s own interval is its t interval divided by its mean.`,
      `Comparisons: ratio of means B/A with a ${level} interval (${input.ratioCi === 'log-t' ? 'Welch t on the log ratio' : 'percentile bootstrap, 10 000 resamples'}); against a baseline, a regression needs a p-value (Welch t test on the logs) below alpha after Holm's adjustment over every series compared, and an interval that reaches the noise threshold (defaults 0.01 family-wise and 5 %, per metric from the suite); between backends of one run the verdict is read from the interval alone (worse, better, similar within the noise band, or inconclusive); seed ${input.seed} (permutation test: ${input.permutations || DEFAULT_PERMUTATIONS} permutations).`,
      `Outliers: modified Z-score (Iglewicz & Hoaglin) above ${OUTLIER_THRESHOLD}; reported, never removed.`,
      'Every figure can be recomputed from samples.jsonl; see docs/statistics.md.',
    ],
  });
  return items;
}

function runLine(r: ReportRun, baseline: boolean): string {
  const rec = r.record;
  const v = rec.hvbench;
  return `${rec.id}${baseline ? ' (baseline)' : ''}: suite ${rec.suite.name} (${rec.suite.file}), ${rec.status}, ${rec.startedAt} to ${rec.endedAt ?? '…'}; hvbench ${v.version} revision ${v.revision}${v.dirty ? ' with uncommitted changes' : ''}; ${r.samples.length} samples`;
}

function repetitionLine(r: ReportRun): string {
  const s = r.record.suite.resolved as Record<string, unknown>;
  const parts = [`repetitions ${s.repetitions ?? '?'}`, `warm-up ${s.warmup ?? 0}`];
  if (s.maxRepetitions !== undefined) parts.push(`up to ${s.maxRepetitions}`);
  if (s.targetCiHalfWidth !== undefined) parts.push(`until the 95 % CI half-width is below ${Number(s.targetCiHalfWidth) * 100} % of the mean`);
  if (s.interleave !== undefined) parts.push(s.interleave ? 'backends interleaved' : 'not interleaved');
  const done = r.record.cases.filter((c) => c.status === 'completed').map((c) => c.repetitionsDone);
  const range = done.length > 0 ? `; measured ${Math.min(...done)}–${Math.max(...done)} per completed case` : '';
  return `${r.record.id}: ${parts.join(', ')}${range}`;
}

/** Distinct values of some dimensions over every sample, for those present. */
function dimValues(runs: readonly ReportRun[], dims: readonly string[]): [string, string[]][] {
  return dims
    .map((d): [string, string[]] => [
      d,
      [
        ...new Set(
          runs.flatMap((r) =>
            r.samples
              .map((s) => s.dims[d])
              .filter((v) => v !== undefined)
              .map(String),
          ),
        ),
      ].sort(),
    ])
    .filter(([, v]) => v.length > 0);
}

/**
 * The "Host state" item: per run and host, the settings read when measuring started (governor,
 * turbo, SMT, THP, …), what `--stabilize` set and left, and every setting that differed when
 * measuring stopped. Runs recorded before host state was read say so.
 */
export function hostStateLines(runs: readonly ReportRun[]): string[] {
  const lines: string[] = [];
  for (const r of runs) {
    for (const h of r.record.hosts) {
      const t = (h as { tuning?: HostTuningRecord }).tuning;
      const who = `${r.record.id} on ${h.name}`;
      if (t === undefined) {
        lines.push(`${who}: not recorded (a run from before hvbench read the host state)`);
        continue;
      }
      if (t.before) lines.push(`${who}, when measuring started: ${settingsText(t.before)}`);
      if (t.unreadable !== undefined) lines.push(`${who}: the host state could not be read: ${t.unreadable}`);
      const s = t.stabilized;
      if (s) {
        const set = s.changed.map((c) => `${label(c.setting)} ${c.previous} → ${c.applied}`);
        const left = s.notChanged.map((n) => `${label(n.setting)} (${n.why})`);
        const back =
          s.changed.length === 0 ? '' : s.restored ? '; put back after the run' : `; NOT put back: ${(s.restoreProblems ?? ['not recorded']).join('; ')}`;
        lines.push(
          `${who}, --stabilize: ${set.length > 0 ? `set ${[...new Set(set)].join(', ')}` : 'changed nothing'}${left.length > 0 ? `; left ${left.join(', ')}` : ''}${back}`,
        );
      }
      if (t.before && t.after) {
        const changed = Object.keys(t.before).filter((k) => t.after![k] !== undefined && readingValue(t.before![k]!) !== readingValue(t.after![k]!));
        lines.push(
          changed.length === 0
            ? `${who}: the same when measuring stopped`
            : `${who}: DIFFERED when measuring stopped: ${changed.map((k) => `${label(k)} ${readingValue(t.before![k]!)} → ${readingValue(t.after![k]!)}`).join(', ')}`,
        );
      }
    }
  }
  if (lines.length === 0) return ['not recorded'];
  return [...lines, ...differingSettings(runs)];
}

/** Settings whose value at the start of measuring differs between the runs (or hosts) shown: their figures are not compared on equal terms. */
function differingSettings(runs: readonly ReportRun[]): string[] {
  const values = new Map<string, Map<string, string[]>>();
  for (const r of runs)
    for (const h of r.record.hosts) {
      const before = (h as { tuning?: HostTuningRecord }).tuning?.before;
      for (const [k, reading] of Object.entries(before ?? {})) {
        const byValue = values.get(k) ?? values.set(k, new Map()).get(k)!;
        const v = readingValue(reading);
        (byValue.get(v) ?? byValue.set(v, []).get(v)!).push(`${r.record.id} on ${h.name}`);
      }
    }
  return [...values]
    .filter(([k, byValue]) => byValue.size > 1 && k !== 'numa')
    .map(([k, byValue]) => `${label(k)} DIFFERS between the runs compared: ${[...byValue].map(([v, who]) => `${v} (${who.join(', ')})`).join('; ')}`);
}

function label(key: string): string {
  return (SETTING_LABELS as Record<string, string>)[key] ?? key;
}

function readingValue(r: SettingReading): string {
  return 'value' in r ? r.value : 'not available';
}

function settingsText(p: Record<string, SettingReading>): string {
  return Object.entries(p)
    .map(([k, r]) => `${label(k)} ${'value' in r ? r.value : `not available (${r.unavailable})`}`)
    .join('; ');
}
