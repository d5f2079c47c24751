import type { Command } from 'commander';
import { DEFAULT_GATE_TEST, type GateTest, type RatioCiMethod } from '../stats/compare.ts';
import { DEFAULT_PERMUTATIONS } from '../stats/permutation.ts';
import { DEFAULT_SEED } from '../stats/prng.ts';
import { DEFAULT_IGNORED_DIMS } from '../stats/series.ts';
import { parseSettingOption, settingsFor, type CompareConfig, type CompareSettings } from '../stats/thresholds.ts';
import { HvbError } from '../util/errors.ts';

/** The options `compare` and `history` share: thresholds, matching and the test's randomness. */
export interface StatsOpts {
  alpha?: string[];
  threshold?: string[];
  ignore?: string[];
  permutations: string;
  seed: string;
  ci: string;
  test: string;
  json?: boolean;
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function addStatsOptions(cmd: Command): Command {
  return cmd
    .option('--alpha <p>', 'significance level, or <metric>=<p> for one metric (default 0.01; repeatable)', collect)
    .option('--threshold <fraction>', 'noise threshold, e.g. 0.05 or 5%, or <metric>=<fraction> (default 5%; repeatable)', collect)
    .option('--ignore <dims>', 'more dimensions to leave out of matching (comma-separated, repeatable)', collect)
    .option('--test <name>', "the regression gate's test: welch (t test on logs) or permutation", DEFAULT_GATE_TEST)
    .option('--permutations <n>', 'random relabellings of the permutation test, beyond 200 000 exact splits', String(DEFAULT_PERMUTATIONS))
    .option('--seed <n>', 'seed of the permutation test and the bootstrap, recorded in the output', String(DEFAULT_SEED))
    .option('--ci <method>', 'interval of the ratio: log-t or bootstrap', 'log-t')
    .option('--json', 'machine-readable output');
}

/** The shared options, checked. */
export interface ParsedStatsOpts {
  /** Thresholds given on the command line. */
  cli: CompareConfig;
  ignore: Set<string>;
  seed: number;
  permutations: number;
  ratioCi: RatioCiMethod;
  test: GateTest;
}

/** The shared options, checked: thresholds given on the command line, dims to ignore, seed, permutations, CI method. */
export function parseStatsOpts(opts: StatsOpts): ParsedStatsOpts {
  let cli: CompareConfig = {};
  for (const a of opts.alpha ?? []) cli = parseSettingOption(a, 'alpha', cli);
  for (const t of opts.threshold ?? []) cli = parseSettingOption(t, 'noiseThreshold', cli);
  return {
    cli,
    ignore: new Set([...DEFAULT_IGNORED_DIMS, ...splitList(opts.ignore ?? [])]),
    seed: positiveInt(opts.seed, '--seed', 0),
    permutations: positiveInt(opts.permutations, '--permutations', 1),
    ratioCi: ciMethod(opts.ci),
    test: gateTest(opts.test ?? DEFAULT_GATE_TEST),
  };
}

/**
 * The checked options as a comparison takes them: the thresholds of each metric from the
 * suite's settings, where the command line's take precedence.
 */
export function comparisonOptions(
  parsed: ParsedStatsOpts,
  suite: CompareConfig | undefined,
): Omit<ParsedStatsOpts, 'cli'> & { settings: (metric: string) => CompareSettings } {
  const { cli, ...rest } = parsed;
  return { ...rest, settings: (metric) => settingsFor(metric, [suite, cli]) };
}

export function splitList(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

export function positiveInt(text: string, option: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > 0xffffffff) throw new HvbError('usage', `${option} ${JSON.stringify(text)}: expected an integer ≥ ${min}`);
  return n;
}

export function ciMethod(text: string): RatioCiMethod {
  if (text === 'log-t' || text === 'bootstrap') return text;
  throw new HvbError('usage', `--ci ${JSON.stringify(text)}: expected log-t or bootstrap`);
}

export function gateTest(text: string): GateTest {
  if (text === 'welch' || text === 'permutation') return text;
  throw new HvbError('usage', `--test ${JSON.stringify(text)}: expected welch or permutation`);
}
