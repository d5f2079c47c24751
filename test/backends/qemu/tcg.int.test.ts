import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VmSpec } from '../../../src/backends/common/backend.ts';
import { killAllVms, liveVms } from '../../../src/backends/common/live-vms.ts';
import { qemuBaseArgv } from '../../../src/backends/qemu/argv.ts';
import { startQemu } from '../../../src/backends/qemu/vm.ts';
import { tcgBackend } from '../../../src/backends/qemu/tcg.ts';
import { LocalHost } from '../../../src/hosts/local.ts';
import { processesInGroup } from '../fixtures/proc-scan.ts';
import { tinyInitramfs } from '../fixtures/tiny-initramfs.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../../support/guest-image.ts';

// Real QEMU under TCG. Without a kernel, QEMU runs SeaBIOS, finds no boot device and waits
// forever: enough to check the launch path, QMP, the accelerator, usage and kill.
// Then the guest image's kernel boots a hand-made initramfs that powers off or panics.

const host = new LocalHost();
let kernel = '';

const noKernel = (accel: 'tcg' | 'kvm' = 'tcg', extra: string[] = []) => ({
  name: 'no-kernel',
  accel,
  argv: (qmpSocket: string) => [...qemuBaseArgv({ accel: 'tcg', qmpSocket, vcpus: 1, memoryMiB: 64 }), ...extra],
});

function expectGone(pid: number): void {
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  expect(processesInGroup(pid)).toEqual([]);
}

describe('tcg backend with a real QEMU', () => {
  afterEach(async () => {
    // Like a VM factory's teardown: whatever a test left running dies here.
    await killAllVms('test finished');
    expect(liveVms.size).toBe(0);
  });

  it('probes QEMU and TCG from evidence', async () => {
    const capability = await tcgBackend.probe(host);
    expect(capability).toMatchObject({ backend: 'tcg', available: true });
    expect(capability.reason).toMatch(/^QEMU \d+\.\d+(\.\d+)?, TCG accelerator available$/);
    expect(capability.facts['qemu']).toMatch(/^\d+\.\d+/);
    expect(capability.facts['qemuBinary']).toMatch(/\/qemu-system-x86_64$/);
  });

  it('confirms TCG over QMP, reads usage, and kill leaves no process behind', async () => {
    const vm = await startQemu(host, noKernel());
    expect(vm.accel).toBe('tcg');
    expect(liveVms.has(vm)).toBe(true);
    expect(existsSync(join(vm.tempDir, 'qmp.sock'))).toBe(true);
    await sleep(300);
    const running = await vm.usage();
    expect(running?.pid).toBe(vm.pid);
    expect(running!.peakRssKiB).toBeGreaterThan(0);

    await vm.kill('test done');
    expectGone(vm.pid);
    expect(await vm.wait()).toEqual({ kind: 'killed', reason: 'test done' });
    const final = await vm.usage();
    expect(final!.peakRssKiB).toBeGreaterThanOrEqual(running!.peakRssKiB);
    expect(final!.cpuUserS + final!.cpuSystemS).toBeGreaterThanOrEqual(running!.cpuUserS + running!.cpuSystemS);
    expect(liveVms.has(vm)).toBe(false);
    expect(existsSync(vm.tempDir)).toBe(false);
    await vm.kill('again'); // idempotent
    expect(await vm.wait()).toEqual({ kind: 'killed', reason: 'test done' });
  });

  it('fails loudly, and cleans up, when QEMU runs another accelerator than asked', async () => {
    // The argv says TCG, the caller expects KVM: what QEMU confirms wins.
    await expect(startQemu(host, noKernel('kvm'))).rejects.toMatchObject({
      code: 'accel-mismatch',
      message: expect.stringMatching(/asked QEMU for kvm, but it runs tcg \(query-kvm: .*; info jit: Translation buffer/),
    });
    expect(liveVms.size).toBe(0);
  });

  it("reports QEMU's own words when it exits during start", async () => {
    await expect(startQemu(host, noKernel('tcg', ['-device', 'no-such-device']))).rejects.toMatchObject({
      code: 'vmm-exited',
      message: expect.stringMatching(/exit code 1; QEMU said:\n.*'no-such-device' is not a valid device model name/),
    });
    expect(liveVms.size).toBe(0);
  });

  it('reports a QEMU that exits by itself as exited', async () => {
    const vm = await startQemu(host, noKernel());
    await vm.qmpClient!.execute('quit').catch(() => {});
    expect(await vm.wait()).toEqual({ kind: 'exited', exitCode: 0, signal: null });
    expectGone(vm.pid);
    expect(liveVms.has(vm)).toBe(false);
  });

  describe("booting the guest image's kernel with a tiny initramfs", () => {
    let dir = '';
    beforeAll(async () => {
      kernel = (await guestImage()).kernel;
      dir = await host.makeTempDir('hvb-tcg-int-');
      await writeFile(join(dir, 'poweroff.cpio'), tinyInitramfs('HVB-TINY-POWEROFF', 'poweroff'));
      await writeFile(join(dir, 'exit.cpio'), tinyInitramfs('HVB-TINY-EXIT', 'exit'));
    }, IMAGE_BUILD_TIMEOUT_MS);
    afterAll(async () => {
      if (dir !== '') await host.removeTree(dir);
    });

    const spec = (initramfs: string, vcpus: number): VmSpec => ({
      name: 'tiny',
      vcpus,
      memoryMiB: 256,
      kernel,
      initramfs: join(dir, initramfs),
      cmdline: 'quiet panic=-1',
      disks: [],
      nics: [],
      console: 'serial',
    });

    it('reports a guest poweroff as shutdown, with the console and the final usage', { timeout: 180_000 }, async () => {
      const vm = await tcgBackend.launch(spec('poweroff.cpio', 1), host);
      let console = '';
      vm.onConsole((chunk) => (console += chunk));
      expect(await vm.wait()).toEqual({ kind: 'shutdown', reason: 'guest-shutdown', cause: 'guest-shutdown' });
      // The guest's tty turns \n into \r\n.
      expect(console).toContain('HVB-TINY-POWEROFF\r\n');
      const usage = await vm.usage();
      expect(usage!.cpuUserS).toBeGreaterThan(0.5); // booting Linux under TCG takes seconds of CPU
      expect(usage!.peakRssKiB).toBeGreaterThan(10_000);
      expectGone(vm.pid);
    });

    it('reports a panic (panic=-1 reboots; -no-reboot stops) as a reset', { timeout: 180_000 }, async () => {
      const vm = await tcgBackend.launch(spec('exit.cpio', 2), host);
      let console = '';
      vm.onConsole((chunk) => (console += chunk));
      expect(await vm.wait()).toEqual({ kind: 'shutdown', reason: 'guest rebooted or panicked (no-reboot)', cause: 'guest-reset' });
      expect(console).toContain('HVB-TINY-EXIT\r\n');
      expect(console).toContain('Kernel panic');
      expect((await vm.usage())!.peakRssKiB).toBeGreaterThan(0);
      expectGone(vm.pid);
    });
  });
});
