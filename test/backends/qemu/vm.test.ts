import { afterEach, describe, expect, it } from 'vitest';
import { killAllVms, liveVms } from '../../../src/backends/common/live-vms.ts';
import { killProcessGroup } from '../../../src/util/proc-group.ts';
import { startQemu } from '../../../src/backends/qemu/vm.ts';
import { LocalHost } from '../../../src/hosts/local.ts';
import { FakeQmpServer, withCapabilities, type FakeQmpClient, type QmpRequest } from '../fixtures/fake-qmp-server.ts';

// The VM lifecycle without QEMU: a `sleep` stands in for the QEMU process (so pid, process
// group and /proc are real) and a fake QMP server listens on the socket path QEMU would use.

const host = new LocalHost();
const servers: FakeQmpServer[] = [];
afterEach(async () => {
  await killAllVms('test finished');
  for (const server of servers.splice(0)) await server.close();
});

interface Fake {
  qmp: () => FakeQmpClient;
  requests: () => string[];
}

/** Starts a fake VM whose QMP reports TCG; `onQuit` decides what `quit` does. */
async function fakeVm(options: { onQuit?: 'exit' | 'ignore'; quitTimeoutMs?: number; status?: string } = {}) {
  let pid = 0;
  const handler = withCapabilities((request: QmpRequest, qemu) => {
    if (request.execute === 'query-kvm') qemu.answer(request, { enabled: false, present: true });
    else if (request.execute === 'human-monitor-command') qemu.answer(request, 'Translation buffer state:\r\n');
    else if (request.execute === 'query-status') qemu.answer(request, { status: status.value, running: false });
    else if (request.execute === 'quit') {
      qemu.answer(request);
      if ((options.onQuit ?? 'exit') === 'exit') killProcessGroup(pid, 'SIGTERM');
    }
  });
  const status = { value: options.status ?? 'shutdown' };
  let server: FakeQmpServer | undefined;
  const vm = await startQemu(host, {
    name: 'fake',
    accel: 'tcg',
    quitTimeoutMs: options.quitTimeoutMs ?? 5_000,
    argv: (qmpSocket) => {
      // The fake QEMU's QMP lives where real QEMU's would; startQemu retries until it listens.
      void FakeQmpServer.createAt(qmpSocket, handler).then((created) => {
        server = created;
        servers.push(created);
      });
      return ['sleep', '100'];
    },
  });
  pid = vm.pid;
  const fake: Fake = {
    qmp: () => server!.clients[0]!,
    requests: () => server!.clients[0]!.received.map((request) => request.execute),
  };
  return { vm, fake, status };
}

describe('QemuVm lifecycle', () => {
  it('on a guest poweroff: waits for the pause, reads usage, quits, and reports the shutdown', async () => {
    const { vm, fake } = await fakeVm();
    expect(vm.accel).toBe('tcg');
    expect(liveVms.has(vm)).toBe(true);
    fake.qmp().event('SHUTDOWN', { guest: true, reason: 'guest-shutdown' });
    expect(await vm.wait()).toEqual({ kind: 'shutdown', reason: 'guest-shutdown', cause: 'guest-shutdown' });
    // The first query-status is the start-up look at a guest that may already have stopped.
    expect(fake.requests()).toEqual(['qmp_capabilities', 'query-kvm', 'human-monitor-command', 'query-status', 'query-status', 'quit']);
    const usage = await vm.usage();
    expect(usage).toMatchObject({ pid: vm.pid });
    expect(usage!.peakRssKiB).toBeGreaterThan(0);
    expect(liveVms.has(vm)).toBe(false);
  });

  it('reports a reset under -no-reboot as a reboot or panic', async () => {
    const { vm, fake } = await fakeVm();
    fake.qmp().event('SHUTDOWN', { guest: true, reason: 'guest-reset' });
    expect(await vm.wait()).toEqual({ kind: 'shutdown', reason: 'guest rebooted or panicked (no-reboot)', cause: 'guest-reset' });
  });

  it('treats a STOP into io-error as the end, but not a STOP QEMU recovers from', async () => {
    const { vm, fake, status } = await fakeVm();
    status.value = 'paused';
    fake.qmp().event('STOP');
    await expect.poll(() => fake.requests().filter((r) => r === 'query-status').length).toBe(2);
    expect(liveVms.has(vm)).toBe(true);
    status.value = 'io-error';
    fake.qmp().event('STOP');
    expect(await vm.wait()).toEqual({ kind: 'shutdown', reason: 'QEMU stopped the guest on a disk I/O error (io-error)', cause: 'io-error' });
  });

  it('sees a guest that stopped for good before QMP was connected (no STOP event to hear)', async () => {
    const { vm } = await fakeVm({ status: 'internal-error' });
    expect(await vm.wait()).toEqual({ kind: 'shutdown', reason: 'QEMU stopped the guest on an internal error (internal-error)', cause: 'internal-error' });
    expect(liveVms.has(vm)).toBe(false);
  });

  it('kills a QEMU that does not quit, and says so in its log', async () => {
    const { vm, fake } = await fakeVm({ onQuit: 'ignore', quitTimeoutMs: 200 });
    fake.qmp().event('SHUTDOWN', { guest: true, reason: 'guest-shutdown' });
    expect(await vm.wait()).toMatchObject({ kind: 'shutdown', cause: 'guest-shutdown' });
    expect(vm.vmmLog()).toContain('did not exit within 200 ms of quit; killed');
  });

  it('ignores host-initiated shutdowns: the exit reports them', async () => {
    const { vm, fake } = await fakeVm();
    fake.qmp().event('SHUTDOWN', { guest: false, reason: 'host-signal' });
    killProcessGroup(vm.pid, 'SIGTERM');
    expect(await vm.wait()).toEqual({ kind: 'exited', exitCode: null, signal: 'SIGTERM' });
  });

  it('keeps the first cause: a kill after the guest powered off does not change it', async () => {
    const { vm, fake } = await fakeVm({ onQuit: 'ignore', quitTimeoutMs: 5_000 });
    fake.qmp().event('SHUTDOWN', { guest: true, reason: 'guest-shutdown' });
    await expect.poll(() => fake.requests()).toContain('quit');
    await vm.kill('case finished');
    expect(await vm.wait()).toEqual({ kind: 'shutdown', reason: 'guest-shutdown', cause: 'guest-shutdown' });
  });

  it('says so when the VMM binary cannot be started, and leaves nothing behind', async () => {
    await expect(startQemu(host, { name: 'missing', accel: 'tcg', argv: () => ['hvbench-no-such-qemu'] })).rejects.toMatchObject({
      code: 'vmm-spawn-failed',
      message: expect.stringContaining('hvbench-no-such-qemu'),
    });
    expect(liveVms.size).toBe(0);
  });
});
