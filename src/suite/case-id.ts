/**
 * Case ids: `<backend>/<workload>` followed, when the suite writes guest axes or parameters,
 * by `/<key>=<value>,…`: the guest's axes first (`guest.vcpus=2,guest.memoryMiB=2048`, only
 * the fields written as arrays, so a suite of single numbers keeps its ids), then the
 * parameters with their keys sorted; a density case names its guest count after the guest's
 * axes (`guests=2`), and its noisy neighbour after that (`guests=2,neighbour=stress`). Only what the suite writes appears, so ids stay short;
 * every parameter (defaults included) is in the case's `params`.
 */
export function caseId(
  backend: string,
  workload: string,
  given: Record<string, unknown>,
  guest: Record<string, number> = {},
  density: { guests?: number; neighbour?: string } = {},
): string {
  const keys = Object.keys(given).sort();
  const parts = [
    ...Object.entries(guest).map(([k, v]) => `guest.${k}=${v}`),
    ...(density.guests === undefined ? [] : [`guests=${density.guests}`]),
    ...(density.neighbour === undefined ? [] : [`neighbour=${density.neighbour}`]),
    ...keys.map((k) => `${k}=${idValue(given[k])}`),
  ];
  const base = `${backend}/${workload}`;
  return parts.length === 0 ? base : `${base}/${parts.join(',')}`;
}

/** Plain words and numbers as they are; anything else as JSON so `,` `=` `/` stay unambiguous. */
function idValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string' && /^[\w.:+-]+$/.test(value)) return value;
  return stableJson(value);
}

/** JSON with object keys sorted, so equal values always give equal text. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
