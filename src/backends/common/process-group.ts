/**
 * The backends' process-group helpers, which live in util/proc-group.ts (the one place that
 * reads /proc for groups).
 */
export { killGroupAndWait, killProcessGroup, parseProcessGroup } from '../../util/proc-group.ts';
