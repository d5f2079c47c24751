import { describeDifferences, type FieldDifference, manifestDifferences } from '../results/manifest.ts';
import type { CaseManifest } from '../results/run-record.ts';

/**
 * The equivalence check of a comparison: for each pair of cases compared, their manifests
 * (what each guest actually got, src/results/manifest.ts) side by side. Two sides that differ
 * in a field that must match did not measure the same guest: the figures compare more than
 * the variant.
 */

/** One side of a compared pair: its cases, and what it stands for (its backend, or the value of the dimension compared). */
export interface PairSide {
  cases: readonly string[];
  variant: string;
}

/** The manifests of a run's cases, by case id. */
export type Manifests = ReadonlyMap<string, CaseManifest>;

export interface EquivalenceIssue {
  /** The case ids compared, A then B. */
  a: string;
  b: string;
  /** Fields that must match and do not. */
  mustMatch: FieldDifference[];
  /** Fields that differ by nature between these sides (the hypervisor, the clock source, drivers). */
  nature: FieldDifference[];
}

export interface EquivalenceCheck {
  /** Case pairs whose manifests were compared. */
  checked: number;
  /** Case pairs without a manifest on a side (runs before it was recorded, cases that never booted). */
  unchecked: number;
  /** Pairs whose manifests differ, in any field. */
  issues: EquivalenceIssue[];
  /** Cases whose own boots read back different manifests (run.json `manifest.changed`). */
  unstable: { run: 'A' | 'B'; caseId: string; fields: string[] }[];
}

/** Compares the manifests of every pair of cases the pairs of series bring together, each case pair once. */
export function checkEquivalence(pairs: readonly { a: PairSide; b: PairSide }[], manifests: { a: Manifests; b: Manifests }): EquivalenceCheck {
  const seen = new Set<string>();
  const out: EquivalenceCheck = { checked: 0, unchecked: 0, issues: [], unstable: [] };
  for (const p of pairs) {
    for (const ca of p.a.cases) {
      for (const cb of p.b.cases) {
        const key = JSON.stringify([ca, cb]);
        if (seen.has(key)) continue;
        seen.add(key);
        const ma = manifests.a.get(ca);
        const mb = manifests.b.get(cb);
        if (!ma || !mb) {
          out.unchecked++;
          continue;
        }
        out.checked++;
        const diffs = manifestDifferences({ variant: p.a.variant, fields: ma.fields }, { variant: p.b.variant, fields: mb.fields });
        if (diffs.length > 0)
          out.issues.push({ a: ca, b: cb, mustMatch: diffs.filter((d) => d.kind === 'must-match'), nature: diffs.filter((d) => d.kind === 'nature') });
      }
    }
  }
  for (const [side, map] of [
    ['A', manifests.a],
    ['B', manifests.b],
  ] as const) {
    const cases = new Set(pairs.flatMap((p) => (side === 'A' ? p.a.cases : p.b.cases)));
    for (const caseId of [...cases].sort()) {
      const changed = map.get(caseId)?.changed;
      if (changed?.length) out.unstable.push({ run: side, caseId, fields: [...new Set(changed.flatMap((c) => c.fields))].sort() });
    }
  }
  return out;
}

/** Pairs named in a line of pairs that differ alike; the others are counted. */
const MAX_PAIRS_NAMED = 3;
/** What to do about a guest with another number of CPUs than its counterpart (native, unpinned, may use every host CPU). */
const CPUS_HINT = "; `pinning: 'auto'` in the suite gives every side, native too, as many CPUs (docs/reproducible.md)";

/** The pairs that did not get the same guest. */
export function notEquivalent(check: EquivalenceCheck): EquivalenceIssue[] {
  return check.issues.filter((i) => i.mustMatch.length > 0);
}

/**
 * Lines for a person: each pair that differs in a field that must match, naming the fields;
 * each case whose boots read back different guests; and, apart, the fields that differ by
 * nature, in one line (expected between these sides, listed so the comparison says what differs).
 */
export function equivalenceLines(check: EquivalenceCheck): { warnings: string[]; notes: string[] } {
  // Pairs that differ alike are one line (a suite's every case against native, typically).
  const byDifference = new Map<string, EquivalenceIssue[]>();
  for (const i of notEquivalent(check)) {
    const text = describeDifferences(i.mustMatch);
    byDifference.set(text, [...(byDifference.get(text) ?? []), i]);
  }
  const warnings = [...byDifference].map(([text, issues]) => {
    const hint = issues.some((i) => i.mustMatch.some((d) => d.field === 'cpus')) ? CPUS_HINT : '';
    if (issues.length === 1) return `${issues[0]!.a} and ${issues[0]!.b} did not get the same guest: ${text}${hint}`;
    const shown = issues.slice(0, MAX_PAIRS_NAMED).map((i) => `${i.a} and ${i.b}`);
    const more = issues.length > MAX_PAIRS_NAMED ? `, and ${issues.length - MAX_PAIRS_NAMED} more` : '';
    return `${issues.length} pairs did not get the same guest, alike: ${text}${hint} (${shown.join('; ')}${more})`;
  });
  for (const u of check.unstable) warnings.push(`${u.caseId} (${u.run}) read back a different guest on some boots: ${u.fields.join(', ')}`);
  const byNature = [...new Set(check.issues.flatMap((i) => i.nature.map((d) => `${d.field} ${d.a} against ${d.b}`)))];
  const notes = byNature.length > 0 ? [`the sides differ by nature (expected between what is compared) in: ${byNature.join('; ')}`] : [];
  return { warnings, notes };
}

/** The manifests of a run record's cases, by case id. */
export function manifestsOf(cases: readonly { id: string; manifest?: CaseManifest }[]): Map<string, CaseManifest> {
  const map = new Map<string, CaseManifest>();
  for (const c of cases) if (c.manifest) map.set(c.id, c.manifest);
  return map;
}
