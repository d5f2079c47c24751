import { z } from 'zod';
import { HvbError } from '../util/errors.ts';

/**
 * When a change counts: the significance level of the permutation test and the noise
 * threshold (a relative change, 0.05 = 5 %), with per-metric overrides. The schema below is
 * what a suite's `compare` field accepts; run.json keeps it in `suite.resolved.compare`.
 */

export const DEFAULT_ALPHA = 0.01;
export const DEFAULT_NOISE_THRESHOLD = 0.05;

export interface CompareSettings {
  /** A change is significant when the permutation p-value is below this. */
  alpha: number;
  /** …and it counts only when it can be at least this large (relative, 0.05 = 5 %). */
  noiseThreshold: number;
}

export const DEFAULT_COMPARE_SETTINGS: CompareSettings = { alpha: DEFAULT_ALPHA, noiseThreshold: DEFAULT_NOISE_THRESHOLD };

const alpha = z.number().gt(0).lt(1);
const noiseThreshold = z.number().min(0);

export const metricCompareSchema = z.strictObject({
  alpha: alpha.optional(),
  noiseThreshold: noiseThreshold.optional(),
});

/** A suite's `compare` field: defaults for every metric, and overrides by metric name. */
export const compareConfigSchema = z.strictObject({
  alpha: alpha.optional(),
  noiseThreshold: noiseThreshold.optional(),
  metrics: z.record(z.string().min(1), metricCompareSchema).optional(),
});

export type CompareConfig = z.output<typeof compareConfigSchema>;

/**
 * The settings for one metric from layers given from lowest to highest precedence (e.g.
 * [suite, command line]). A per-metric value beats a general one; at the same level a
 * later layer beats an earlier one; the defaults fill the rest.
 */
export function settingsFor(metric: string, layers: readonly (CompareConfig | undefined)[]): CompareSettings {
  const pick = (field: keyof CompareSettings): number => {
    for (let i = layers.length - 1; i >= 0; i--) {
      const v = layers[i]?.metrics?.[metric]?.[field];
      if (v !== undefined) return v;
    }
    for (let i = layers.length - 1; i >= 0; i--) {
      const v = layers[i]?.[field];
      if (v !== undefined) return v;
    }
    return DEFAULT_COMPARE_SETTINGS[field];
  };
  return { alpha: pick('alpha'), noiseThreshold: pick('noiseThreshold') };
}

/** Reads the `compare` field of a resolved suite (from run.json); undefined when absent. */
export function compareConfigOf(resolvedSuite: unknown, where: string): CompareConfig | undefined {
  const value = (resolvedSuite as { compare?: unknown } | undefined)?.compare;
  if (value === undefined) return undefined;
  const parsed = compareConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = ['compare', ...(issue?.path ?? [])].join('.');
  throw new HvbError('run-invalid', `${where}: suite ${path}: ${issue?.message ?? 'invalid'}`, {
    hint: 'expected { alpha?, noiseThreshold?, metrics?: { <metric>: { alpha?, noiseThreshold? } } } with alpha in (0, 1) and noiseThreshold ≥ 0',
  });
}

/**
 * Parses a command-line value `0.05`, `5%` or `<metric>=0.05` into a config layer entry.
 * `kind` names the option in messages.
 */
export function parseSettingOption(text: string, field: keyof CompareSettings, into: CompareConfig): CompareConfig {
  const eq = text.lastIndexOf('=');
  const metric = eq > 0 ? text.slice(0, eq) : undefined;
  const raw = (eq > 0 ? text.slice(eq + 1) : text).trim();
  const value = raw.endsWith('%') ? Number(raw.slice(0, -1)) / 100 : Number(raw);
  const ok = raw !== '' && Number.isFinite(value) && (field === 'alpha' ? value > 0 && value < 1 : value >= 0);
  if (!ok) {
    const expected = field === 'alpha' ? 'a probability between 0 and 1 (e.g. 0.01 or 1%)' : 'a relative change ≥ 0 (e.g. 0.05 or 5%)';
    throw new HvbError(
      'usage',
      `--${field === 'alpha' ? 'alpha' : 'threshold'} ${JSON.stringify(text)}: expected ${expected}, optionally prefixed by "<metric>="`,
    );
  }
  if (metric === undefined) return { ...into, [field]: value };
  return { ...into, metrics: { ...into.metrics, [metric]: { ...into.metrics?.[metric], [field]: value } } };
}
