import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../src/hosts/host.ts';
import type { VmSpec } from '../../src/backends/common/backend.ts';
import { killAllVms, liveVms } from '../../src/backends/common/live-vms.ts';
import { qemuBaseArgv } from '../../src/backends/qemu/argv.ts';
import { startQemu, type QemuVm } from '../../src/backends/qemu/vm.ts';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { encodeJob } from '../../src/guest/protocol/job.ts';
import { GuestSession } from '../../src/guest/protocol/session.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import type { SshHost } from '../../src/hosts/ssh-host.ts';
import { boot } from '../../src/workloads/boot.ts';
import { isRunning, processesInGroup } from '../backends/fixtures/proc-scan.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';
import { startSshHost, type TestSshHost } from '../support/ssh-host.ts';
import { descendants } from '../support/sshd.ts';

// The tcg backend on a "remote" host: QEMU is started through ssh to a private sshd on
// 127.0.0.1, so QMP, usage, files and kills all take the remote paths, while the test can
// still look at the real processes in /proc.

let ssh: TestSshHost | undefined;
let host: SshHost;
let image: GuestImage;
/** Remote QEMU pids the tests saw; none may be left at the end. */
const seen: number[] = [];

beforeAll(async () => {
  image = await guestImage();
  ssh = await startSshHost('hvb-ssh-tcg-');
  host = ssh.host;
}, IMAGE_BUILD_TIMEOUT_MS);

afterEach(async () => {
  await killAllVms('test finished');
  expect(liveVms.size).toBe(0);
});

afterAll(async () => {
  await killAllVms('tests finished');
  await ssh?.stop();
  for (const pid of seen) expect(isRunning(pid)).toBe(false);
  if (ssh) expect(descendants(ssh.sshdPid)).toEqual([]);
});

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

/** Boots the image's boot job on `on` and returns what happened, with the time to `done`. */
async function bootJob(on: Host) {
  const nonce = randomBytes(16).toString('hex');
  const spec: VmSpec = {
    name: 'ssh-boot',
    vcpus: 1,
    memoryMiB: 512,
    kernel: image.kernel,
    initramfs: image.initramfs,
    cmdline: `quiet panic=-1 ${encodeJob({ nonce, workload: boot.name, command: boot.command({}, {}) })}`,
    disks: [],
    nics: [],
    console: 'serial',
  };
  const session = new GuestSession(nonce);
  const t0 = performance.now();
  let doneMs: number | undefined;
  session.onFrame((frame) => {
    if (frame.kind === 'done') doneMs = performance.now() - t0;
  });
  const vm = (await tcgBackend.launch(spec, on)) as QemuVm;
  if (on === host) seen.push(vm.pid);
  const comm = on === host ? (await host.readFile(`/proc/${vm.pid}/comm`)).trim() : '';
  vm.onConsole((chunk) => session.feed(chunk));
  const exit = await vm.wait();
  session.close();
  return { vm, session, exit, doneMs, comm, usage: await vm.usage() };
}

describe('tcg backend through an SshHost to 127.0.0.1', () => {
  it('boots the guest image’s boot job to done, reads usage remotely, and leaves nothing', { timeout: 300_000 }, async () => {
    let started = performance.now();
    await host.putFile(image.kernel);
    const kernelMs = performance.now() - started;
    started = performance.now();
    await host.putFile(image.initramfs);
    const initramfsMs = performance.now() - started;
    const mib = statSync(image.initramfs).size / 2 ** 20;

    const remote = await bootJob(host);
    expect(remote.session.done, remote.session.log.slice(-20).join('\n')).toBe(true);
    expect(remote.exit).toEqual({ kind: 'shutdown', reason: 'guest-shutdown', cause: 'guest-shutdown' });
    expect(remote.vm.accel).toBe('tcg');
    // The pid is QEMU's on the remote host, not the local ssh's.
    expect(remote.comm).toMatch(/^qemu-system/);
    expect(remote.vm.pid).not.toBe(remote.vm.localPid);
    expect(remote.usage!.pid).toBe(remote.vm.pid);
    expect(remote.usage!.cpuUserS + remote.usage!.cpuSystemS).toBeGreaterThan(0.5);
    expect(remote.usage!.peakRssKiB).toBeGreaterThan(10_000);
    expect(isRunning(remote.vm.pid)).toBe(false);
    expect(isRunning(remote.vm.localPid)).toBe(false);
    // Its private directory on the host is gone too.
    expect(await host.exec(['test', '-e', remote.vm.tempDir])).toMatchObject({ exitCode: 1 });

    const local = await bootJob(new LocalHost());
    expect(local.session.done).toBe(true);
    process.stderr.write(
      `putFile: kernel ${kernelMs.toFixed(0)} ms, initramfs (${mib.toFixed(1)} MiB) ${initramfsMs.toFixed(0)} ms; ` +
        `boot to done: remote ${remote.doneMs!.toFixed(0)} ms, local ${local.doneMs!.toFixed(0)} ms\n`,
    );
  });

  describe('QEMU without a kernel (SeaBIOS waits for ever)', () => {
    const noKernel = {
      name: 'ssh-no-kernel',
      accel: 'tcg' as const,
      argv: (qmpSocket: string, pidFile: string) => [...qemuBaseArgv({ accel: 'tcg', qmpSocket, vcpus: 1, memoryMiB: 64 }), '-pidfile', pidFile],
    };

    it('dies within seconds when the local ssh is SIGKILLed', { timeout: 60_000 }, async () => {
      const vm = await startQemu(host, noKernel);
      seen.push(vm.pid);
      expect(isRunning(vm.pid)).toBe(true);
      expect(processesInGroup(vm.pid)).toContain(vm.pid);
      process.kill(vm.localPid, 'SIGKILL');
      const ms = await waitUntil(() => !isRunning(vm.pid), 5_000);
      process.stderr.write(`remote QEMU gone ${ms} ms after SIGKILL of the local ssh\n`);
      expect((await vm.wait()).kind).toBe('exited');
      expect(liveVms.has(vm)).toBe(false);
    });

    it('is reached by kill() and by killAllVms()', { timeout: 60_000 }, async () => {
      const first = await startQemu(host, noKernel);
      seen.push(first.pid);
      await sleep(300);
      expect((await first.usage())!.peakRssKiB).toBeGreaterThan(0);
      await first.kill('test done');
      expect(await first.wait()).toEqual({ kind: 'killed', reason: 'test done' });
      expect(isRunning(first.pid)).toBe(false);

      const second = await startQemu(host, noKernel);
      seen.push(second.pid);
      await killAllVms('emergency');
      expect(isRunning(second.pid)).toBe(false);
      expect(isRunning(second.localPid)).toBe(false);
    });
  });
});
