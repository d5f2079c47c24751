import { numberIn } from './tool-output.ts';

/**
 * Reads the figures sysbench 1.0 prints after a run, e.g.
 *
 *     CPU speed:
 *         events per second:  1234.56
 *     Latency (ms):
 *              avg:                                    0.81
 *              95th percentile:                        0.83
 *
 * Labels are matched whole, so a changed sysbench output format fails loudly.
 */
export function sysbenchField(output: string, label: string, tool = 'sysbench'): number {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return numberIn(output, new RegExp(`^\\s*${escaped}:\\s+([0-9]+(?:\\.[0-9]+)?)(?:s)?\\s*$`, 'm'), `${tool} output has no "${label}:" line`, 'guest log');
}
