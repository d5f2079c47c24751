/** hvbench's public entry: what a suite file imports. */
export { defineSuite } from './suite/define.ts';
export { DEFAULT_BACKENDS, DEFAULT_DESCRIPTION, DEFAULT_MEMORY_MIB, DEFAULT_REPETITIONS, DEFAULT_VCPUS, DEFAULT_WARMUP, MAX_CASES } from './suite/defaults.ts';
export type { Case, GuestInput, ResolvedGuest, ResolvedSuite, ResolvedWorkloadEntry, SuiteInput, WorkloadEntryInput } from './suite/types.ts';
