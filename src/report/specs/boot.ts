import type { Sample } from '../../results/sample.ts';
import { variantOf } from '../../dims/catalogue.ts';
import { sortBackends } from '../palette.ts';
import { backendColour, base, round, thinPoints, withUnit, type Spec } from './common.ts';

/**
 * Boot-time distributions: per workload (each boots its own initrd) and backend, a box
 * plot (median, quartiles, whiskers to min and max) with every boot as a point.
 */

export const BOOT_METRIC = 'boot.to_ready_ms';

export function bootSpec(samples: readonly Sample[]): Spec | undefined {
  const boots = samples.filter((s) => s.metric === BOOT_METRIC);
  if (boots.length === 0) return undefined;
  const unit = boots[0]!.unit;
  const groups = new Map<string, { workload: string; variant: string; backend: string; values: number[] }>();
  for (const s of boots) {
    const workload = String(s.dims.workload ?? 'all');
    const key = `${workload}\u0000${variantOf(s.dims)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { workload, variant: variantOf(s.dims), backend: String(s.dims.backend ?? 'unknown'), values: [] }));
    g.values.push(s.value);
  }
  const rows = [...groups.values()].flatMap((g) =>
    thinPoints(g.values, 400).map((v) => ({ workload: g.workload, variant: g.variant, backend: g.backend, value: round(v) })),
  );
  const backends = sortBackends(rows.map((r) => r.backend));
  const variants = [...new Set(rows.map((r) => r.variant))].sort(
    (a, b) => backends.indexOf(a.split(' ')[0]!) - backends.indexOf(b.split(' ')[0]!) || (a < b ? -1 : 1),
  );
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const y = { field: 'variant', type: 'nominal', sort: variants, title: null };
  const x = { field: 'value', type: 'quantitative', title: withUnit('boot to ready', unit), scale: { zero: false } };
  return {
    ...base(
      'Boot time',
      ["host clock from the VMM start to the guest agent's ready; boxes: quartiles and median, whiskers: min to max; points: boots"],
      'boot-time distributions per backend',
    ),
    data: { values: rows },
    facet: { row: { field: 'workload', type: 'nominal', sort: workloads, title: 'workload', header: { labelAngle: 0, labelAlign: 'left' } } },
    spec: {
      width: 520,
      height: { step: 22 },
      layer: [
        { mark: { type: 'boxplot', extent: 'min-max', size: 14, median: { color: '#111111' } }, encoding: { y, x, color: backendColour(backends) } },
        {
          mark: { type: 'circle', size: 14, color: '#222222', opacity: 0.5 },
          encoding: {
            y,
            x,
            tooltip: [
              { field: 'variant', title: 'backend' },
              { field: 'value', title: unit },
            ],
          },
        },
      ],
    },
  } as unknown as Spec;
}
