/**
 * One colour and one place in every ordering per backend, in every chart and table.
 * Colours are from the Okabe–Ito palette, which stays distinguishable with the common
 * forms of colour blindness; native is neutral grey because it is the baseline.
 */

/** Backends in the order every chart and table lists them: the baseline first, then from least to most emulation. */
export const BACKEND_ORDER: readonly string[] = ['native', 'kvm', 'xen', 'tcg'];

const KNOWN_COLOURS: Readonly<Record<string, string>> = {
  native: '#8c8c8c',
  kvm: '#0072B2',
  xen: '#E69F00',
  tcg: '#009E73',
};

/** For backends hvbench does not know yet, handed out in order of first appearance. */
const EXTRA_COLOURS: readonly string[] = ['#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** Colours of comparison verdicts (forest and history charts, which are not coloured by backend). */
export const VERDICT_COLOURS: Readonly<Record<'regression' | 'improvement' | 'no-change', string>> = {
  regression: '#D55E00',
  improvement: '#0072B2',
  'no-change': '#595959',
};

/** Sorts backend names: known ones in BACKEND_ORDER, then the rest alphabetically. */
export function sortBackends(names: Iterable<string>): string[] {
  const rank = (n: string) => {
    const i = BACKEND_ORDER.indexOf(n);
    return i < 0 ? BACKEND_ORDER.length : i;
  };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The colour scale for a set of backends: same domain order and same colour for a backend in every chart. */
export function backendScale(names: Iterable<string>): { domain: string[]; range: string[] } {
  const domain = sortBackends(names);
  let extra = 0;
  const range = domain.map((n) => KNOWN_COLOURS[n] ?? EXTRA_COLOURS[extra++ % EXTRA_COLOURS.length]!);
  return { domain, range };
}

/** Orders variant labels (`backend` or `backend guest-type`) by backend, then guest type. */
export function sortVariants<T extends { backend: string; variant: string }>(items: readonly T[]): string[] {
  const backends = sortBackends(items.map((i) => i.backend));
  const seen = new Map<string, string>();
  for (const i of items) seen.set(i.variant, i.backend);
  return [...seen.entries()].sort(([va, ba], [vb, bb]) => backends.indexOf(ba) - backends.indexOf(bb) || (va < vb ? -1 : va > vb ? 1 : 0)).map(([v]) => v);
}
