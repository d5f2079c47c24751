import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Capability } from '../../../src/backends/common/backend.ts';
import { checkKvmGuest } from '../../../src/backends/qemu/kvm-guest.ts';
import { createKvmBackend } from '../../../src/backends/qemu/kvm.ts';
import { killAllVms, liveVms } from '../../../src/backends/common/live-vms.ts';
import { tcgBackend } from '../../../src/backends/qemu/tcg.ts';
import type { GuestImage } from '../../../src/guest/image.ts';
import { LocalHost } from '../../../src/hosts/local.ts';
import { runRepetition } from '../../../src/runner/repetition.ts';
import { boot } from '../../../src/workloads/boot.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../../support/guest-image.ts';

// The KVM probe on this machine, for real: /dev/kvm, the module, QEMU over QMP and a canary
// boot of the real guest image. What it must say depends on the machine, and the machine's
// own evidence decides which answer is the honest one: a PVM KVM (kvm_pvm) opens /dev/kvm
// but cannot boot the image's generic kernel; no /dev/kvm means no KVM; otherwise KVM works.

const host = new LocalHost();
let image: GuestImage;
let cacheDir = '';

/** Command lines of processes that still belong to a canary (its QMP socket lives in a hvbench-kvm-canary-* folder). */
function canaryProcesses(): string[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return cmdline.includes('hvbench-kvm-canary-') ? [`${pid}: ${cmdline}`] : [];
      } catch {
        return [];
      }
    });
}

function expectHonestVerdict(c: Capability): void {
  if (existsSync('/sys/module/kvm_pvm')) {
    expect(c.available).toBe(false);
    expect(c.reason).toMatch(/^KVM present but cannot boot Linux guests: /);
    expect(['no-progress', 'kvm-internal-error', 'cpu-refused']).toContain(c.facts['canary']);
    expect(c.facts['kvmModules']).toMatch(/kvm_pvm/);
    expect(c.hint).toMatch(/kvm_pvm \(PVM\)/);
  } else if (!existsSync('/dev/kvm')) {
    expect(c).toMatchObject({ available: false, reason: expect.stringMatching(/^no \/dev\/kvm/) });
  } else {
    expect(c).toMatchObject({ available: true, facts: { canary: 'ok', guestHypervisor: 'KVM' } });
  }
}

describe('kvm backend probe on this machine', () => {
  beforeAll(async () => {
    image = await guestImage();
    cacheDir = await mkdtemp(join(tmpdir(), 'hvb-kvm-int-'));
  }, IMAGE_BUILD_TIMEOUT_MS);
  afterEach(async () => {
    await killAllVms('test finished');
    expect(liveVms.size).toBe(0);
  });
  afterAll(async () => {
    if (cacheDir !== '') await rm(cacheDir, { recursive: true, force: true });
  });

  it('answers from evidence with a canary boot of the real image, leaves no QEMU behind, then answers from its cache', { timeout: 200_000 }, async () => {
    const kvm = createKvmBackend({ cacheDir });
    const progress: string[] = [];
    const t0 = Date.now();
    const c = await kvm.probe(host, { image, recheck: true, log: (line) => progress.push(line) });
    const ms = Date.now() - t0;
    process.stderr.write(`kvm canary verdict after ${(ms / 1000).toFixed(1)} s: ${c.available ? 'yes' : 'no'} — ${c.reason}\n`);
    expectHonestVerdict(c);
    expect(c.facts).toMatchObject({ canaryCached: 'no', canaryImage: image.hash, kvmDevice: expect.any(String) });
    if (existsSync('/dev/kvm')) {
      expect(progress.some((line) => line.startsWith('kvm: booting a canary guest with -accel kvm'))).toBe(true);
      // The canary boots at most its 60 s (twice when -cpu host is refused at once).
      expect(Number(c.facts['canaryMs'])).toBeLessThan(62_000);
    }
    expect(canaryProcesses()).toEqual([]);
    expect(liveVms.size).toBe(0);

    // A second probe (a new backend, as in the next `hvbench run`) answers from the cached verdict at once.
    const again = createKvmBackend({ cacheDir });
    const t1 = Date.now();
    const cached = await again.probe(host, { image });
    expectHonestVerdict(cached);
    if (cached.facts['canary'] !== undefined) {
      expect(cached.facts).toMatchObject({ canaryCached: 'yes', canary: c.facts['canary'], canaryCpu: c.facts['canaryCpu'] });
      expect(cached.reason).toMatch(/\[canary of \S+, cached\]$/);
      expect(Date.now() - t1).toBeLessThan(15_000);
    }
    if (!existsSync('/dev/kvm')) return;
    // A launch after the probe: QEMU confirms KVM over QMP, with the CPU model the canary used.
    const vm = await again.launch(
      {
        name: 'kvm-launch',
        vcpus: 1,
        memoryMiB: 128,
        kernel: image.kernel,
        initramfs: image.initramfs,
        cmdline: 'quiet',
        disks: [],
        nics: [],
        console: 'serial',
      },
      host,
    );
    expect(vm.accel).toBe('kvm');
    expect(vm.dims).toEqual({ cpu_model: cached.facts['canaryCpu'] });
    await vm.kill('test done');
    expect(await vm.wait()).toEqual({ kind: 'killed', reason: 'test done' });
  });

  it("the agent reports the guest's own view; a backend it contradicts fails the repetition loudly", { timeout: 240_000 }, async () => {
    // TCG with KVM's guest check: QEMU runs TCG, so the guest kernel cannot have seen KVM.
    const pretender: Backend = { ...tcgBackend, name: 'tcg', checkGuest: checkKvmGuest };
    const outcome = await runRepetition({
      backend: pretender,
      host,
      image,
      workload: boot,
      params: {},
      vcpus: 1,
      memoryMiB: 256,
      timeoutSec: 200,
      name: 'guest-view',
    });
    expect(outcome.accel).toBe('tcg');
    expect(outcome.facts['hypervisor'], outcome.guestLog.slice(-20).join('\n')).toMatch(/^[A-Za-z0-9_.,:/+-]+$/);
    expect(outcome.facts['clocksource']).toMatch(/^[A-Za-z0-9_.,:/+-]+$/);
    expect(outcome.dims).toMatchObject({ guest_hypervisor: outcome.facts['hypervisor'], guest_clocksource: outcome.facts['clocksource'] });
    expect(outcome.facts['hypervisor']).not.toBe('KVM');
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/^the guest contradicts the tcg backend: QEMU confirmed KVM, but the guest kernel detected /);
    // The boot itself was measured and is kept.
    expect(outcome.values.map((v) => v.metric)).toContain('boot.to_ready_ms');
  });
});
