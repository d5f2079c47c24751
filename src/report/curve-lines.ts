import { configurationLabels } from '../dims/labels.ts';
import type { Dims } from '../results/sample.ts';
import type { MetricGroups } from './groups.ts';

type Group = MetricGroups['groups'][number];

/** One line of a curve figure: the series of one variant and configuration, along the x axis. */
export interface CurveLine {
  variant: string;
  backend: string;
  /** What tells this line from the variant's others (empty when it has one). */
  configuration: string;
  groups: Group[];
}

/**
 * The lines of a curve figure (scaling, density): series that differ only in the dimensions
 * `along` names (the x axis, and what follows it) make one line; any other difference, a
 * line of its own, labelled by that difference.
 */
export function curveLines(groups: readonly Group[], along: (dim: string) => boolean): CurveLine[] {
  const byLine = new Map<string, { group: Group; rest: Dims }[]>();
  for (const g of groups) {
    const rest: Dims = {};
    for (const [k, v] of Object.entries(g.dims)) if (!along(k)) rest[k] = v;
    const key = JSON.stringify([g.variant, Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1))]);
    (byLine.get(key) ?? byLine.set(key, []).get(key)!).push({ group: g, rest });
  }
  const entries = [...byLine.values()];
  const labels = configurationLabels(
    entries.map((e) => e[0]!.rest),
    () => '',
  );
  return entries.map((e, i) => {
    const first = e[0]!.group;
    return { variant: first.variant, backend: first.backend, configuration: labels[i]!, groups: e.map((x) => x.group) };
  });
}
