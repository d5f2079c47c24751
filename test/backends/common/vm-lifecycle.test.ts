import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningVm, VmmUsage } from '../../../src/backends/common/backend.ts';
import { killAllVms, liveVms } from '../../../src/backends/common/live-vms.ts';
import { VmLifecycle, type VmmSpecifics } from '../../../src/backends/common/vm-lifecycle.ts';
import type { StartedProcess } from '../../../src/backends/common/vmm-spawn.ts';
import type { Host, ProcessExit } from '../../../src/hosts/host.ts';
import { unusedHostMethods } from '../../support/unused-host-methods.ts';

// The lifecycle on a process in memory: the test writes its output and decides its exit.

afterEach(async () => {
  await killAllVms('test finished');
});

/** A process whose pid is one that cannot exist (above pid_max), so live-vms' group kill touches nothing. */
function fakeProcess() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const signals: string[] = [];
  let resolve!: (exit: ProcessExit) => void;
  const exited = new Promise<ProcessExit>((r) => (resolve = r));
  const exit = (result: ProcessExit) => {
    stdout.end();
    stderr.end();
    resolve(result);
  };
  const process: StartedProcess = {
    pid: 4_194_305,
    stdin: null,
    stdout,
    stderr,
    exited,
    kill: (signal = 'SIGKILL') => {
      signals.push(signal);
      return true;
    },
  };
  return { process, exit, signals, stdout, stderr };
}

function fakeHost(kind: Host['kind'] = 'local') {
  const removed: string[] = [];
  const host: Host = {
    name: 'fake',
    kind,
    ...unusedHostMethods,
    exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
    spawn: () => {
      throw new Error('not used');
    },
    readFile: async () => '',
    makeTempDir: async () => '/t/vm',
    removeTree: async (path) => {
      removed.push(path);
    },
  };
  return { host, removed };
}

const usageOf = (cpuUserS: number): VmmUsage => ({ pid: 1, cpuUserS, cpuSystemS: 0, peakRssKiB: 1 });

/** A lifecycle with specifics that record what happened; `overrides` replace any of them. */
function lifecycle(overrides: Partial<VmmSpecifics> = {}, kind: Host['kind'] = 'local') {
  const p = fakeProcess();
  const { host, removed } = fakeHost(kind);
  const requests: string[] = [];
  let cpu = 1;
  const vm = { pid: 0 } as RunningVm;
  const life = new VmLifecycle(
    vm,
    {
      name: 'FakeVMM',
      readUsage: async () => usageOf(cpu),
      killing: () => ({
        request: async () => {
          requests.push('kill');
          p.exit({ exitCode: null, signal: 'SIGKILL' });
        },
        timeoutMs: 1_000,
        late: 'FakeVMM did not die; killed',
      }),
      ...overrides,
    },
    { host, process: p.process, tempDir: '/t/vm', usageReadTimeoutMs: 1_000 },
  );
  return { life, vm, p, removed, requests, setCpu: (value: number) => (cpu = value) };
}

describe('VmLifecycle', () => {
  it('an exit nobody caused is the outcome; the VM is untracked and its folder removed', async () => {
    const { life, vm, p, removed } = lifecycle();
    expect(liveVms.has(vm)).toBe(true);
    p.stderr.write('bad option\n');
    p.exit({ exitCode: 1, signal: null });
    expect(await life.wait()).toEqual({ kind: 'exited', exitCode: 1, signal: null });
    expect(life.processGone).toBe(true);
    expect(life.describeExit()).toBe('exit code 1; FakeVMM said:\nbad option');
    expect(liveVms.has(vm)).toBe(false);
    expect(removed).toEqual(['/t/vm']);
  });

  it('kill() reads the usage, ends the VMM once, and keeps the reason', async () => {
    const { life, p, requests, setCpu } = lifecycle();
    expect(await life.usage()).toEqual(usageOf(1));
    setCpu(2);
    await Promise.all([life.kill('timeout'), life.kill('again')]);
    setCpu(3);
    expect(await life.wait()).toEqual({ kind: 'killed', reason: 'timeout' });
    expect(requests).toEqual(['kill']);
    expect(await life.usage()).toEqual(usageOf(2));
    expect(p.signals).toEqual([]);
  });

  it('keeps the first cause: a kill after the guest stopped does not change it', async () => {
    const { life } = lifecycle();
    expect(life.decide({ kind: 'shutdown', reason: 'guest powered off' })).toBe(true);
    expect(life.decide({ kind: 'shutdown', reason: 'another' })).toBe(false);
    await life.kill('case finished');
    expect(await life.wait()).toEqual({ kind: 'shutdown', reason: 'guest powered off' });
  });

  it('forces a VMM that does not exit after the ending, and says so in the log', async () => {
    const { life, p } = lifecycle({
      killing: () => ({ request: async () => {}, timeoutMs: 50, late: 'FakeVMM did not exit within 50 ms of the kill; killed it' }),
    });
    const killed = life.kill('interrupted');
    await expect.poll(() => p.signals).toEqual(['SIGKILL']);
    p.exit({ exitCode: null, signal: 'SIGKILL' });
    await killed;
    expect(await life.wait()).toEqual({ kind: 'killed', reason: 'interrupted' });
    expect(life.vmmLog()).toContain('hvbench: FakeVMM did not exit within 50 ms of the kill; killed it\n');
  });

  it('hands every stderr line to the backend, the last one without a newline too, before the exit decides', async () => {
    const lines: string[] = [];
    const { life, p } = lifecycle({
      onStderrLine: (line) => {
        lines.push(line);
        if (line.startsWith('shut down')) life.decide({ kind: 'shutdown', reason: 'guest powered off' });
      },
    });
    p.stderr.write('first\nsec');
    p.stderr.write('ond\nshut down');
    await new Promise((r) => setImmediate(r));
    p.exit({ exitCode: 0, signal: null });
    expect(await life.wait()).toEqual({ kind: 'shutdown', reason: 'guest powered off' });
    expect(lines).toEqual(['first', 'second', 'shut down']);
    expect(life.vmmLog()).toBe('first\nsecond\nshut down');
  });

  it('decodes the console and keeps it for the first listener', async () => {
    const { life, p } = lifecycle();
    p.stdout.write(Buffer.from('grüße', 'utf8').subarray(0, 4));
    p.stdout.write(Buffer.from('grüße', 'utf8').subarray(4));
    await new Promise((r) => setImmediate(r));
    let text = '';
    life.onConsole((chunk) => (text += chunk));
    p.exit({ exitCode: 0, signal: null });
    await life.wait();
    expect(text).toBe('grüße');
  });

  it('on a remote host, ssh’s own 255 is named as a lost connection', async () => {
    const { life, p } = lifecycle({}, 'remote');
    p.exit({ exitCode: 255, signal: null });
    expect(await life.wait()).toEqual({ kind: 'exited', exitCode: 255, signal: null });
    expect(life.vmmLog()).toMatch(/the ssh connection to host "fake" was lost/);
  });

  it('a lost process is logged, and the backend may name its own outcome and final usage', async () => {
    const { life, p } = lifecycle({
      exitOutcome: () => ({ kind: 'shutdown', reason: 'the agent exited', cause: 'agent-exit' }),
      cleanUp: async () => life.settleUsage(usageOf(9)),
    });
    p.exit({ exitCode: null, signal: null, error: 'spawn EPIPE' });
    expect(await life.wait()).toEqual({ kind: 'shutdown', reason: 'the agent exited', cause: 'agent-exit' });
    expect(life.vmmLog()).toContain('hvbench: lost track of FakeVMM: spawn EPIPE\n');
    expect(await life.usage()).toEqual(usageOf(9));
  });
});
