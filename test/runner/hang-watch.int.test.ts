import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { runRepetition } from '../../src/runner/repetition.ts';
import type { Workload } from '../../src/workloads/workload.ts';
import { boot } from '../../src/workloads/boot.ts';
import { realGuestHooks } from '../support/guest-image.ts';
import { processesNamed } from '../support/processes.ts';

// The heartbeat on a real TCG guest, one second apart: a step that sleeps through eight of
// them completes (the agent's alive frames got through while the step ran), and a guest whose
// VMM is frozen (SIGSTOP: no vCPU runs) is stopped as hung well before its timeout. Two boots.

const host = new LocalHost();
/** A job of one quiet step: `sleep <s>`. */
const sleeping = (s: number): Workload => ({ ...boot, command: () => ({ steps: [{ id: 'sleep', argv: ['sleep', String(s)] }] }) }) as Workload;
const base = { backend: tcgBackend, host, params: {}, vcpus: 1, memoryMiB: 256, aliveEveryS: 1 };

/** The QEMU process of the VM `name` (its private folder, named after the VM, is on its command line). */
function qemuNamed(name: string): number | undefined {
  return processesNamed('qemu-system').find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`hvbench-${name}-`));
}

describe('the heartbeat of a real guest', () => {
  const guest = realGuestHooks('hvb-hang-int-');

  it('keeps a guest whose step is silent for longer than the hang limit', async () => {
    const out = await runRepetition({ ...base, image: guest.image, workload: sleeping(8), timeoutSec: 240, name: 'hb-sleep' });
    expect(out.error, out.guestLog.slice(-20).join('\n')).toBeUndefined();
    expect(out.status).toBe('completed');
  }, 300_000);

  it('stops a guest whose vCPUs no longer run, as hung, long before the timeout', async () => {
    const name = `hb-frozen-${process.pid}`;
    let frozen: number | undefined;
    const started = Date.now();
    const run = runRepetition({ ...base, image: guest.image, workload: sleeping(600), timeoutSec: 900, name });
    // Once the guest's job runs (well after the VMM started), freeze the whole VMM.
    while (frozen === undefined && Date.now() - started < 240_000) {
      await new Promise((r) => setTimeout(r, 2000));
      const pid = qemuNamed(name);
      if (pid !== undefined && Date.now() - started > 30_000) {
        process.kill(pid, 'SIGSTOP');
        frozen = pid;
      }
    }
    const out = await run;
    expect(frozen, `${out.status}: ${out.error}\n${out.guestLog.slice(-10).join('\n')}`).toBeDefined();
    expect(out).toMatchObject({ status: 'failed', crashed: true });
    expect(out.error).toMatch(/^the guest hung: nothing from it for \d+ s, though it sends a frame every 1 s/);
    expect(Date.now() - started).toBeLessThan(120_000);
  }, 300_000);
});
