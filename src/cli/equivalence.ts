import type { CaseRecord } from '../results/run-record.ts';
import type { Sample } from '../results/sample.ts';
import type { CompareReport } from '../stats/compare-report.ts';
import { checkEquivalence, type EquivalenceCheck, equivalenceLines, manifestsOf, notEquivalent, type PairSide } from '../stats/equivalence.ts';
import { byValue, matchBy, matchRuns } from '../stats/series.ts';
import { HvbError } from '../util/errors.ts';

/** What the check needs of a run record: its cases' ids and manifests. */
type CasesOf = { cases: readonly Pick<CaseRecord, 'id' | 'manifest'>[] };

/** Most pairs named in the --strict refusal; the rest are counted. */
const MAX_NAMED = 5;

/** A side's pairs of a compare report: in `by` mode each side stands for its value of the dimension, between runs both for the same. */
export function reportPairs(report: CompareReport): { a: PairSide; b: PairSide }[] {
  return report.rows.flatMap((r) =>
    r.cases
      ? [
          {
            a: { cases: r.cases.a, variant: report.mode === 'by' ? (report.a.value ?? '') : 'same' },
            b: { cases: r.cases.b, variant: report.mode === 'by' ? (r.value ?? '') : 'same' },
          },
        ]
      : [],
  );
}

/** The equivalence check of a compare report's pairs, from the manifests in the runs' records (A, B). */
export function compareEquivalence(report: CompareReport, a: CasesOf, b: CasesOf): EquivalenceCheck {
  return checkEquivalence(reportPairs(report), { a: manifestsOf(a.cases), b: manifestsOf(b.cases) });
}

/**
 * What the check says, as lines for the terminal; with `strict`, a comparison whose sides did
 * not get the same guest is refused: an HvbError that names the cases and the fields.
 */
export function enforceEquivalence(check: EquivalenceCheck, strict: boolean, compared: string): { warnings: string[]; notes: string[] } {
  const lines = equivalenceLines(check);
  const issues = notEquivalent(check);
  if (strict && (issues.length > 0 || check.unstable.length > 0)) {
    const named = lines.warnings.slice(0, MAX_NAMED).join('\n  ');
    const more = lines.warnings.length > MAX_NAMED ? `\n  and ${lines.warnings.length - MAX_NAMED} more` : '';
    throw new HvbError('not-equivalent', `--strict: the sides differ in more than the ${compared} compared:\n  ${named}${more}`, {
      hint: "each case's manifest (what its guest got, read back) is in run.json under cases[].manifest; compare cases that differ only in what is compared, or leave out --strict to see the figures with these warnings",
    });
  }
  return lines;
}

/** A run as the report reads it: its record and its samples. */
interface RunWithSamples {
  record: CasesOf;
  samples: readonly Sample[];
}

/**
 * The equivalence check of a report: its runs against the baseline, case by case; without a
 * baseline, each backend's cases against the reference backend's (`--reference`, else native
 * when present, else the first backend by name).
 */
export function reportEquivalence(
  runs: readonly RunWithSamples[],
  baseline: RunWithSamples | undefined,
  reference: string | null | undefined,
  ignore: ReadonlySet<string>,
): EquivalenceCheck {
  const pooled = runs.flatMap((r) => r.samples);
  const manifests = new Map(runs.flatMap((r) => [...manifestsOf(r.record.cases)]));
  const side = (cases: readonly string[] | undefined, variant: string): PairSide => ({ cases: cases ?? [], variant });
  if (baseline) {
    const pairs = matchRuns(baseline.samples, pooled, ignore).pairs.map((p) => ({ a: side(p.a.cases, 'same'), b: side(p.b.cases, 'same') }));
    return checkEquivalence(pairs, { a: manifestsOf(baseline.record.cases), b: manifests });
  }
  const backends = [...new Set(pooled.map((s) => byValue(s.dims, 'backend')).filter((v) => v !== undefined))].sort();
  const ref = reference ?? (backends.includes('native') ? 'native' : backends[0]);
  if (ref === undefined || !backends.includes(ref) || backends.length < 2) return { checked: 0, unchecked: 0, issues: [], unstable: [] };
  const pairs = matchBy(pooled, 'backend', ref, ignore).pairs.map((p) => ({ a: side(p.a.cases, ref), b: side(p.b.cases, p.value ?? '') }));
  return checkEquivalence(pairs, { a: manifests, b: manifests });
}
