import type { Dims } from '../results/sample.ts';
import { dimDef, VARIANT_DIMS } from './catalogue.ts';

/**
 * Short labels for configurations shown together: only the configuration dimensions whose
 * values differ between them, the workload first and by value (`cpu threads=2`), device
 * models by value (`virtio-blk`), a dimension that repeats another (`param.io` and `io`)
 * once. Variant and fact dimensions never appear: they are not configuration.
 */
export function configurationLabels(all: readonly Dims[], fallback: (d: Dims) => string = (d) => String(d.workload ?? 'all')): string[] {
  const keys = [...new Set(all.flatMap((d) => Object.keys(d)))].filter((k) => !VARIANT_DIMS.includes(k) && dimDef(k).role === 'configuration').sort();
  const varying = keys
    .filter((k) => new Set(all.map((d) => String(d[k]))).size > 1)
    .sort((a, b) => (a === 'workload' ? -1 : b === 'workload' ? 1 : 0))
    .filter((k, i, list) => !list.slice(0, i).some((j) => dimDef(j).label === dimDef(k).label && all.every((d) => String(d[j]) === String(d[k]))));
  return all.map((d) => {
    const parts = varying
      .filter((k) => d[k] !== undefined)
      .map((k) => (k === 'workload' || k === 'disk_model' || k === 'nic_model' ? String(d[k]) : `${dimDef(k).label}=${d[k]}`));
    return parts.length > 0 ? parts.join(' ') : fallback(d);
  });
}
