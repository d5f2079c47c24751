import { describe, expect, it } from 'vitest';
import { nativeBackend } from '../../src/backends/native/native.ts';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';
import type { Backend } from '../../src/backends/common/backend.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { setupCase } from '../../src/runner/case-setup.ts';
import { runRepetition } from '../../src/runner/repetition.ts';
import { cpu } from '../../src/workloads/cpu.ts';
import { realGuestHooks } from '../support/guest-image.ts';

// `--count-events` for real: the quick suite's cpu step (sysbench, 2 s) counted under QEMU TCG
// (QEMU's translator statistics over QMP) and natively (the run's page faults and context switches). Two boots.

const host = new LocalHost();
const params = cpu.params.parse({ threads: 1, timeSec: 2, maxPrime: 10000 });

describe('event counts around a real step', () => {
  const guest = realGuestHooks('hvb-events-int-');

  async function counted(backend: Backend) {
    const setup = await setupCase({
      caseId: `${backend.name}/cpu`,
      slug: backend.name,
      workload: cpu,
      devices: {},
      image: guest.image,
      host,
      scratchDir: guest.work,
    });
    try {
      const out = await runRepetition({
        backend,
        host,
        image: guest.image,
        workload: cpu,
        params,
        setup,
        vcpus: 1,
        memoryMiB: 256,
        timeoutSec: 240,
        name: `ev-${backend.name}`,
        countEvents: true,
      });
      expect(out.error, out.guestLog.slice(-20).join('\n')).toBeUndefined();
      const events = Object.fromEntries(out.values.filter((v) => v.metric.startsWith('events.')).map((v) => [v.metric, v.value]));
      process.stderr.write(
        `${backend.name} events: ${JSON.stringify(events)} (${out.dims['event_source']}${out.eventProblem ? `: ${out.eventProblem}` : ''})\n`,
      );
      // The step's throughput beside its counts, and each count per sysbench event.
      const work = out.values.find((v) => v.metric === 'cpu.events_per_s')!.value;
      expect(events['events.cpu.work_per_s']).toBe(work);
      for (const [metric, rate] of Object.entries(events).filter(([m]) => m.endsWith('_per_s') && m !== 'events.cpu.work_per_s'))
        expect(events[metric.replace(/_per_s$/, '_per_op')], metric).toBeCloseTo(rate / work, 12);
      return { out, events };
    } finally {
      await setup.release();
    }
  }

  it("reads TCG's translator statistics over QMP before and after the step", async () => {
    const { out, events } = await counted(tcgBackend);
    expect(out.dims['event_source']).toBe('qemu-jit');
    expect(Object.keys(events).sort()).toEqual(
      expect.arrayContaining(['events.cpu.tb_invalidations_per_s', 'events.cpu.tlb_partial_flushes_per_s', 'events.cpu.tlb_full_flushes_per_s']),
    );
    // sysbench's loop runs translated code; the step still flushes TLB entries as it switches tasks.
    expect(events['events.cpu.tlb_partial_flushes_per_s']).toBeGreaterThan(0);
  }, 300_000);

  it("reads a native run's page faults and the step's context switches over its process tree before and after the step", async () => {
    const { out, events } = await counted(nativeBackend);
    expect(out.dims['event_source']).toBe('proc-rusage');
    // sysbench maps its libraries and stack: it faults pages in, natively too.
    expect(events['events.cpu.minor_faults_per_s']).toBeGreaterThan(0);
    expect(events['events.cpu.major_faults_per_s']).toBeGreaterThanOrEqual(0);
    // Its main thread sleeps while the worker runs (voluntary switches); the scheduler may take
    // the CPU from the worker (involuntary ones, none on an idle core).
    expect(events['events.cpu.voluntary_switches_per_s']).toBeGreaterThan(0);
    expect(events['events.cpu.involuntary_switches_per_s']).toBeGreaterThanOrEqual(0);
    expect(events['events.cpu.context_switches_per_s']).toBeCloseTo(
      events['events.cpu.voluntary_switches_per_s']! + events['events.cpu.involuntary_switches_per_s']!,
      9,
    );
  }, 300_000);
});
