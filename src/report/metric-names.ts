/**
 * Readable names of metrics and units for titles, legends and tables. A metric id stays
 * the key everywhere (files, JSON, CSV); what a reader sees is `CPU: events/s (sysbench)`,
 * and `us` is written µs.
 */

const UNITS: Readonly<Record<string, string>> = { us: 'µs', mb_s: 'MB/s' };

/** The unit as a person writes it. */
export function unitLabel(unit: string): string {
  return UNITS[unit] ?? unit;
}

const FAMILIES: Readonly<Record<string, string>> = {
  boot: 'Boot',
  cpu: 'CPU',
  memory: 'Memory',
  disk: 'Disk',
  net: 'Network',
  micro: 'Micro-cost',
  host: 'Host',
  guest: 'Guest',
  stream: 'STREAM',
};

/** Names of the metrics whose id does not read well by itself. */
const NAMES: Readonly<Record<string, string>> = {
  'boot.to_ready_ms': 'time to agent ready',
  'boot.guest_uptime_at_ready_s': 'guest uptime at ready',
  'cpu.events_per_s': 'sysbench events per second',
  'cpu.latency_avg_ms': 'mean event latency',
  'cpu.latency_p95_ms': 'p95 event latency',
  'memory.read_mib_s': 'sysbench read bandwidth',
  'memory.write_mib_s': 'sysbench write bandwidth',
  'memory.stream_read_mb_s': 'STREAM read bandwidth',
  'memory.stream_write_mb_s': 'STREAM write bandwidth',
  'disk.seq_read_mib_s': 'sequential read',
  'disk.seq_write_mib_s': 'sequential write',
  'disk.rand_read_iops': 'random read IOPS',
  'disk.rand_write_iops': 'random write IOPS',
  'disk.rand_read_clat_p50_us': 'random read latency p50',
  'disk.rand_read_clat_p99_us': 'random read latency p99',
  'disk.rand_write_clat_p50_us': 'random write latency p50',
  'disk.rand_write_clat_p99_us': 'random write latency p99',
  'net.tx_gbit_s': 'TCP send throughput',
  'net.rx_gbit_s': 'TCP receive throughput',
  'net.rr_latency_avg_us': 'request-response latency (mean)',
  'net.rr_latency_p50_us': 'request-response latency p50',
  'net.rr_latency_p99_us': 'request-response latency p99',
  'host.vmm_cpu_s': 'VMM CPU time',
  'host.vmm_job_cpu_s': 'VMM CPU time of the job',
  'host.vmm_peak_rss_mib': 'VMM peak memory',
  'host.cpu_s_per_gib': 'host CPU seconds per GiB moved',
  'micro.hackbench_s': 'hackbench time',
  'micro.timer_latency_avg_us': 'timer latency (mean)',
  'micro.timer_latency_min_us': 'timer latency (min)',
  'micro.timer_latency_max_us': 'timer latency (max)',
  'guest.clock_drift_ppm': 'clock drift against the host',
};

/** Unit suffixes a metric id carries (`_ms`, `_mib_s`), removed when the name is made from the id. */
const UNIT_SUFFIX = /_(ns|us|ms|s|mib_s|mb_s|gbit_s|iops|mib|gib)$/;

/** The family of a metric: `disk` for `disk.seq_read_mib_s` (the whole id when it has no dot). */
export function metricFamily(metric: string): string {
  const dot = metric.indexOf('.');
  return dot > 0 ? metric.slice(0, dot) : metric;
}

/** The aggregates of a density case (runner/density-metrics.ts), after the name of the metric they aggregate. */
const DENSITY_AGGREGATES: readonly [string, string][] = [
  ['.sum', 'sum over the guests'],
  ['.min_max_ratio', 'min/max over the guests'],
  ['.jain', "Jain's fairness over the guests"],
];

/** Counted events (runner/event-windows.ts, step-work.ts): `events.<step>.<counter>_per_s|_per_op`, and the step's `work_per_s`. */
const EVENT_METRIC = /^events\.([a-z0-9_-]+)\.([a-z0-9_]+)_per_(s|op)$/;

/** `Disk: sequential read`; an unknown id is made readable from its parts (`micro.cpuid_ns` → `Micro-cost: cpuid`). */
export function metricName(metric: string): string {
  const event = EVENT_METRIC.exec(metric);
  if (event) return `Events of ${event[1]}: ${event[2] === 'work' ? 'the work' : event[2]} per ${event[3] === 's' ? 'second' : 'operation'}`;
  const aggregate = DENSITY_AGGREGATES.find(([suffix]) => metric.endsWith(suffix) && metric.indexOf('.') < metric.length - suffix.length);
  if (aggregate) return `${metricName(metric.slice(0, -aggregate[0].length))}, ${aggregate[1]}`;
  const family = metricFamily(metric);
  const rest = family === metric ? metric : metric.slice(family.length + 1);
  const name = NAMES[metric] ?? rest.replace(UNIT_SUFFIX, '').replace(/_/g, ' ');
  const head = family === metric ? '' : (FAMILIES[family] ?? family);
  return head ? `${head}: ${name}` : name;
}

/** `Disk: sequential read (MiB/s)`. */
export function metricTitle(metric: string, unit: string): string {
  return unit === '' ? metricName(metric) : `${metricName(metric)} (${unitLabel(unit)})`;
}
