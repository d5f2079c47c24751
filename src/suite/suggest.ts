/** "unknown workload "cpuu" (did you mean "cpu"?); known workloads: boot, cpu, …" helpers. */

/** Longest unknown name quoted whole in a message. */
const MAX_SHOWN = 64;

/** The known name closest to `name`, when it is close enough to be a likely typo. */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/** `unknown <what> "x" (did you mean "y"?); known <what>s: a, b, c` */
export function unknownName(what: string, name: string, known: readonly string[], knownLabel = `known ${what}s`): string {
  const guess = closest(name, known);
  const list = known.length ? [...known].sort().join(', ') : '(none)';
  const shown = name.length > MAX_SHOWN ? `${JSON.stringify(name.slice(0, MAX_SHOWN))}… (${name.length} characters)` : JSON.stringify(name);
  return `unknown ${what} ${shown}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}; ${knownLabel}: ${list}`;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
