import type { Host } from '../hosts/host.ts';
import type { BusyHostRecord, RepetitionUsage } from '../results/run-record.ts';
import { CLK_TCK } from '../util/proc.ts';

/**
 * Busy host: CPU time that processes other than the guest's VMM (and hvbench itself) used on
 * the host while a repetition ran. It is the busy time of /proc/stat's `cpu` line over the
 * repetition (user, nice, system, irq, softirq; idle, iowait and steal are not busy time of
 * this host's processes) minus the VMM's own user and system time (record.usage) and, on the
 * local host, hvbench's. Above BUSY_THRESHOLD CPUs on average the repetition is flagged:
 * something else competed for the host's CPUs while it was measured.
 */
export const BUSY_THRESHOLD_CPUS = 0.2;

/** Busy seconds of all CPUs from the text of /proc/stat; undefined when it has no `cpu` line. */
export function busySeconds(procStat: string): number | undefined {
  const m = /^cpu\s+(.+)$/m.exec(procStat);
  if (!m) return undefined;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = m[1]!.trim().split(/\s+/).map(Number);
  return (user + nice + system + irq + softirq) / CLK_TCK;
}

/** The fields of a runner event this watcher reads (rep-start and rep-end). */
export interface RepEvent {
  type: string;
  caseId?: string;
  rep?: number;
  warmup?: boolean;
}

export interface BusyWatcherOptions {
  /** The host a case runs on (undefined: not watched). */
  hostOf: (caseId: string) => Host | undefined;
  /** The usage the runner recorded for a repetition (it is recorded before rep-end is told). */
  usageOf: (caseId: string, rep: number, warmup: boolean) => RepetitionUsage | undefined;
  threshold?: number;
}

interface Start {
  busy: Promise<number | undefined>;
  own: NodeJS.CpuUsage;
  at: number;
}

/** Watches every repetition's start and end; `settle()` waits for the last reads and gives the records per host. */
export function busyHostWatcher(o: BusyWatcherOptions): { observe: (e: RepEvent) => void; settle: () => Promise<Map<string, BusyHostRecord>> } {
  const threshold = o.threshold ?? BUSY_THRESHOLD_CPUS;
  const starts = new Map<string, Start>();
  const records = new Map<string, BusyHostRecord>();
  const pending: Promise<void>[] = [];
  const read = (host: Host) =>
    host
      .readFile('/proc/stat')
      .then(busySeconds)
      .catch(() => undefined);
  return {
    observe: (e) => {
      if ((e.type !== 'rep-start' && e.type !== 'rep-end') || e.caseId === undefined || e.rep === undefined) return;
      const host = o.hostOf(e.caseId);
      if (!host) return;
      const key = `${e.caseId}\u0000${e.rep}\u0000${e.warmup === true}`;
      if (e.type === 'rep-start') {
        starts.set(key, { busy: read(host), own: process.cpuUsage(), at: Date.now() });
        return;
      }
      const start = starts.get(key);
      starts.delete(key);
      if (!start) return;
      const own = process.cpuUsage(start.own);
      const wallS = (Date.now() - start.at) / 1000;
      const usage = o.usageOf(e.caseId, e.rep, e.warmup === true);
      const caseId = e.caseId;
      const rep = e.rep;
      const warmup = e.warmup === true;
      pending.push(
        (async () => {
          const [before, after] = [await start.busy, await read(host)];
          const record = records.get(host.name) ?? { thresholdCpus: threshold, checked: 0, flagged: [] };
          records.set(host.name, record);
          if (before === undefined || after === undefined || usage === undefined || wallS <= 0) return;
          record.checked++;
          const ownS = host.kind === 'local' ? (own.user + own.system) / 1e6 : 0;
          const otherCpuS = Math.max(0, after - before - usage.cpuUserS - usage.cpuSystemS - ownS);
          if (otherCpuS / wallS > threshold)
            record.flagged.push({
              caseId,
              rep,
              warmup,
              wallS: round(wallS),
              otherCpuS: round(otherCpuS),
              ...(usage.seq === undefined ? {} : { seq: usage.seq }),
            });
        })(),
      );
    },
    settle: async () => {
      await Promise.all(pending);
      return records;
    },
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
