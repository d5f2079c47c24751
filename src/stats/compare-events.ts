import type { Interval } from './ci.ts';
import type { CompareRow } from './compare-row.ts';
import { fmtChange, fmtNumber } from './format.ts';

/**
 * The likely cause beside a regression: how the counted events of each case changed between
 * two runs (`run --count-events`), per operation where the step counts operations (else per
 * second), largest relative change first. Only changes whose 95 % intervals do not overlap
 * count: two runs' counts always differ a little.
 */

const EVENT = /^events\.([a-z0-9_-]+)\.([a-z0-9_]+)_per_(op|s)$/;
/** At most this many changes per case. */
export const EVENT_CHANGES_PER_CASE = 5;

export interface EventChange {
  /** The case's series label, as in the table above it. */
  label: string;
  step: string;
  counter: string;
  per: 'op' | 's';
  a: number;
  b: number;
  /** b / a − 1. */
  change: number;
  aCi: Interval | undefined;
  bCi: Interval | undefined;
}

/** The changed event counts among a gate's rows (run against baseline), at most `perCase` per case. */
export function eventChanges(rows: readonly CompareRow[], perCase = EVENT_CHANGES_PER_CASE): EventChange[] {
  const parsed = rows.flatMap((r) => {
    const m = EVENT.exec(r.metric);
    return m && m[2] !== 'work' ? [{ r, step: m[1]!, counter: m[2]!, per: m[3] as 'op' | 's' }] : [];
  });
  // Per operation where the case's step has it, else per second.
  const hasPerOp = new Set(parsed.filter((p) => p.per === 'op').map((p) => `${p.r.label}\n${p.step}`));
  const byCase = new Map<string, EventChange[]>();
  for (const p of parsed) {
    if ((p.per === 'op') !== hasPerOp.has(`${p.r.label}\n${p.step}`)) continue;
    const { a, b } = p.r;
    if (!(a.mean > 0) || !(b.mean >= 0)) continue;
    if (!a.ci95 || !b.ci95 || (a.ci95.hi >= b.ci95.lo && b.ci95.hi >= a.ci95.lo)) continue;
    const change: EventChange = {
      label: p.r.label,
      step: p.step,
      counter: p.counter,
      per: p.per,
      a: a.mean,
      b: b.mean,
      change: b.mean / a.mean - 1,
      aCi: a.ci95,
      bCi: b.ci95,
    };
    (byCase.get(p.r.label) ?? byCase.set(p.r.label, []).get(p.r.label)!).push(change);
  }
  const size = (c: EventChange) => Math.abs(Math.log1p(c.change));
  const kept = [...byCase.values()].flatMap((list) => list.sort((x, y) => size(y) - size(x)).slice(0, perCase));
  return kept.sort((x, y) => size(y) - size(x));
}

/** `kvm disk io=emulated randread: io_exits per op +40.0 % (18.0 → 25.2)`. */
export function eventChangeLine(c: EventChange): string {
  return `${c.label} ${c.step}: ${c.counter} per ${c.per} ${fmtChange(c.change)} (${fmtNumber(c.a)} → ${fmtNumber(c.b)})`;
}

/** What the list is, in one sentence. */
export const EVENT_CHANGES_TITLE = 'event counts that changed (per operation, else per second; 95 % intervals apart), the likely causes';
