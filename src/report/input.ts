import type { RunRecord } from '../results/run-record.ts';
import type { Sample } from '../results/sample.ts';
import type { RatioCiMethod } from '../stats/compare.ts';
import type { CompareSettings } from '../stats/thresholds.ts';

/**
 * Permutations of the report's comparisons unless told otherwise (`hvbench compare` uses
 * 10 000): a report compares every series at once, and at 2000 the smallest p is 5e-4,
 * far below the default alpha; only a p within sampling error of alpha can get another
 * verdict than compare's. `--permutations 10000` gives exactly compare's numbers.
 */
export const REPORT_PERMUTATIONS = 2000;

/** What a report is made from: runs as read from disk, and the choices of the command line. */

export interface ReportRun {
  record: RunRecord;
  samples: Sample[];
  /** Problems found while reading the run (a run cut short, a damaged last line). */
  warnings: string[];
}

/** The packages of a guest image, from its manifest when the image cache still has it. */
export interface ImagePackages {
  id: string;
  packages: { name: string; version: string; role: string }[];
}

export interface ReportInput {
  /** The runs under report; their samples are pooled (series matched by dimensions). */
  runs: ReportRun[];
  /** Compared against in the forest plot; with it the comparison is run against baseline. */
  baseline?: ReportRun;
  /**
   * The backend (or `backend guest-type` variant) bars are normalised to. Undefined:
   * `native` when the runs have it; null: never normalise.
   */
  reference?: string | null;
  /** Guest image manifests found for the runs' images. */
  images?: ImagePackages[];
  settings: (metric: string) => CompareSettings;
  /** Dimensions left out of matching in the comparison (default: as `hvbench compare`). */
  ignore?: ReadonlySet<string>;
  seed: number;
  permutations: number;
  ratioCi: RatioCiMethod;
  /** The headline metric of each workload, shown in the overview (default: each workload's first metric). */
  headlines?: ReadonlySet<string>;
  /** Page title; default from the runs' suites. */
  title?: string;
  /** When the report was made (ISO); a parameter so that tests are reproducible. */
  generatedAt: string;
}
