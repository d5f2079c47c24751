import type { SuiteInput } from './types.ts';

/**
 * Declares a suite. It returns its argument unchanged and exists so that editors check
 * and complete the fields of a suite file:
 *
 * ```ts
 * import { defineSuite } from 'hvbench';
 * export default defineSuite({ name: 'quick', workloads: [{ workload: 'cpu' }] });
 * ```
 */
export function defineSuite(suite: SuiteInput): SuiteInput {
  return suite;
}
