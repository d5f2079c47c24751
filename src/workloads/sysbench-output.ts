import { HvbError } from '../util/errors.ts';

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
  const m = new RegExp(`^\\s*${escaped}:\\s+([0-9]+(?:\\.[0-9]+)?)(?:s)?\\s*$`, 'm').exec(output);
  if (!m?.[1]) {
    throw new HvbError('parse', `${tool} output has no "${label}:" line`, {
      hint: `the tool's output is kept in the guest log; first lines: ${JSON.stringify(output.slice(0, 200))}`,
    });
  }
  return Number(m[1]);
}
