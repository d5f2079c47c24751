/**
 * Sanity flags: what makes a figure suspect although its statistics are sound. One list
 * of one shape for `hvbench compare`, the report's warnings and the table `hvbench run`
 * prints, so the three say the same thing in the same words:
 * - `lab`: figures from a hypervisor nested under TCG (sanity-lab.ts);
 * - `faster-than-native`: a guest better than native beyond its interval (sanity-faster.ts);
 * - `clock-drift`: the guest's clock against the host's over a case (sanity-drift.ts);
 * - `cv-outlier`: a series far noisier than its backend's usual (sanity-cv.ts).
 * docs/reproducible.md, "Reading the flags", says what each means and what to do.
 */

export type SanityKind = 'lab' | 'faster-than-native' | 'clock-drift' | 'cv-outlier';

export const SANITY_KINDS: readonly SanityKind[] = ['lab', 'faster-than-native', 'clock-drift', 'cv-outlier'];

export interface SanityFlag {
  kind: SanityKind;
  /** What was seen, with its figures and whom it concerns: one or two sentences. */
  text: string;
  /** Likely causes, most likely first (faster-than-native). */
  causes?: string[];
  /** Short form for a table's footnote, where the row already names the series. */
  note?: string;
  /** What a grouped flag names, one line each (the series of CV outliers, the cases of clock drift). */
  items?: string[];
}

/** Words for a kind, as a tag in a list (`faster than native`). */
export const SANITY_TAGS: Readonly<Record<SanityKind, string>> = {
  lab: 'lab',
  'faster-than-native': 'faster than native',
  'clock-drift': 'clock drift',
  'cv-outlier': 'CV outlier',
};

/** The flag as one line of prose: its text, then its likely causes. */
export function flagText(flag: SanityFlag): string {
  const causes = flag.causes && flag.causes.length > 0 ? ` Likely causes: ${flag.causes.join('; ')}.` : '';
  return `${flag.text}${causes}`;
}

/** The flag for a terminal: the tag and text on one line, each cause indented under it. */
export function flagLines(flag: SanityFlag, indent = '  '): string[] {
  const out = [`${indent}${SANITY_TAGS[flag.kind]}: ${flag.text}`];
  if (flag.causes && flag.causes.length > 0) out.push(`${indent}  likely causes:`, ...flag.causes.map((c) => `${indent}  - ${c}`));
  for (const item of flag.items ?? []) out.push(`${indent}  - ${item}`);
  return out;
}

/** `flags:` and each flag's lines, or nothing when there is no flag. */
export function renderFlags(flags: readonly SanityFlag[]): string[] {
  if (flags.length === 0) return [];
  return ['sanity flags (docs/reproducible.md, "Reading the flags"):', ...flags.flatMap((f) => flagLines(f))];
}

/** A percentage with about three significant digits: `16.6 %`, `0.23 %`. */
export function pctText(x: number): string {
  return `${Number((x * 100).toPrecision(3))} %`;
}

/** A ratio with two significant digits below 10 (`0.0027`, `2.1`), as the overview writes it. */
export function ratioText(x: number): string {
  return x >= 10 ? String(Math.round(x)) : String(Number(x.toPrecision(2)));
}
