import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CURRENT_CLOCKSOURCE } from '../../src/backends/common/host-tsc.ts';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';
import { caseDevices } from '../../src/devices/case-devices.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { setupCase } from '../../src/runner/case-setup.ts';
import { runRepetition } from '../../src/runner/repetition.ts';
import { caseManifest } from '../../src/results/manifest.ts';
import { disk } from '../../src/workloads/disk.ts';
import { realGuestHooks } from '../support/guest-image.ts';

// The equivalence manifest read back from the real guest under QEMU TCG: two vCPUs as the
// spec says, the disk's cache mode from QMP (none), the guest's clock source (the TSC, where
// the host's is), its queues,
// and the guest clock readings at ready and done. About a minute.

const host = new LocalHost();

describe('the equivalence manifest of a real TCG guest', () => {
  const guest = realGuestHooks('hvb-manifest-int-');

  it('reads back the vCPUs, the cache mode, the clock source and the disk queues; the clock drift once the job ran long enough', async () => {
    const capability = await tcgBackend.probe(host);
    const params = disk.params.parse({ runtimeSec: 1, sizeMiB: 16 });
    const planned = caseDevices('tcg', tcgBackend.devices(), disk.devices!(params), capability.facts);
    if ('skip' in planned) throw new Error(planned.skip);
    const setup = await setupCase({
      caseId: 'tcg/disk/manifest',
      slug: 'manifest',
      workload: disk,
      devices: planned.devices,
      image: guest.image,
      host,
      scratchDir: guest.work,
    });
    try {
      const out = await runRepetition({
        backend: tcgBackend,
        host,
        image: guest.image,
        workload: disk,
        params,
        setup,
        vcpus: 2,
        memoryMiB: 512,
        timeoutSec: 300,
        name: 'manifest',
      });
      expect(out.error, out.guestLog.slice(-20).join('\n')).toBeUndefined();
      const fields = out.manifest ?? {};
      process.stderr.write(`manifest read back: ${JSON.stringify(fields)}\n`);
      expect(fields['on']).toBe('guest');
      expect(fields['cpus']).toBe('2');
      expect(fields['topology']).toMatch(/^sockets=\d+,cores=\d+,threads=\d+$/);
      expect(Number(fields['memory_kib'])).toBeGreaterThan(400 * 1024);
      expect(Number(fields['memory_kib'])).toBeLessThanOrEqual(512 * 1024);
      expect(fields['disk_cache']).toBe('none');
      // A 2-vCPU TCG guest left to itself threw its TSC out for the HPET at every boot; told
      // the host's rate where the host keeps the TSC, it stays on it (docs/machines.md).
      if (readFileSync(CURRENT_CLOCKSOURCE, 'utf8').trim() === 'tsc') {
        expect(fields['cmdline_backend']).toMatch(/^tsc_early_khz=\d+ tsc=reliable console=ttyS0$/);
        expect(fields['clocksource']).toBe('tsc');
      } else {
        expect(fields['cmdline_backend']).toBe('console=ttyS0');
        expect(fields['clocksource']).toMatch(/^\S+$/);
      }
      expect(fields['image']).toBe(guest.image.hash);
      expect(fields['kernel']).toBe(out.guestKernel);
      expect(fields['cmdline']).toMatch(/panic=-1/);
      expect(fields['cmdline']).not.toMatch(/hvb\.job|console=/);
      expect(fields['cmdline_backend']).toMatch(/console=ttyS0/);
      expect(Number(fields['disk_queues'])).toBeGreaterThanOrEqual(1);
      expect(Number(fields['disk_nr_requests'])).toBeGreaterThan(0);
      expect(caseManifest(fields).hash).toMatch(/^[0-9a-f]{16}$/);
      // fio ran for seconds under TCG: the guest's clock was read at ready and at done.
      const drift = out.values.find((v) => v.metric === 'guest.clock_drift_ppm');
      process.stderr.write(`guest clock drift: ${drift?.value} ppm\n`);
      expect(drift?.value).toEqual(expect.any(Number));
    } finally {
      await setup.release();
    }
  }, 400_000);
});
