import { afterEach, describe, expect, it } from 'vitest';
import type { RunningVm, VmExit } from '../../../src/backends/common/backend.ts';
import { killAllVms, liveVms, trackVm } from '../../../src/backends/common/live-vms.ts';
import { processExists } from '../../../src/util/proc.ts';
import { groupMembers, killGroupAndWait, killProcessGroup } from '../../../src/util/proc-group.ts';
import { LocalHost } from '../../../src/hosts/local.ts';
import { isRunning, processesInGroup } from '../fixtures/proc-scan.ts';

const host = new LocalHost();
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) killProcessGroup(pid);
});

/** `sh -c 'sleep 100 & sleep 100'` in its own process group; resolves once both sleeps run. */
async function twoSleeps() {
  const child = host.spawn(['sh', '-c', 'sleep 100 & sleep 100'], { detached: true });
  const pid = child.pid!;
  started.push(pid);
  await expect.poll(() => processesInGroup(pid).length).toBeGreaterThanOrEqual(2);
  return { child, pid };
}

describe('process groups', () => {
  it('spawns detached children as the leader of a new group, and kills the whole group', async () => {
    const { child, pid } = await twoSleeps();
    expect(processesInGroup(process.pid)).not.toContain(pid);
    const members = processesInGroup(pid);
    expect(killProcessGroup(pid)).toBe(true);
    const result = await child.exited;
    expect(result.signal).toBe('SIGKILL');
    await expect.poll(() => processesInGroup(pid)).toEqual([]);
    expect(members.filter(isRunning)).toEqual([]);
    expect(processExists(pid)).toBe(false); // the leader was our child, and is reaped
  });

  it('says false for a group that does not exist', () => {
    expect(killProcessGroup(4_194_305)).toBe(false); // above Linux's largest pid_max
  });

  it('killAllVms kills every tracked VM at once, then lets each clean up', async () => {
    const { child, pid } = await twoSleeps();
    const kills: string[] = [];
    let untrack = () => {};
    const exit = child.exited.then((): VmExit => ({ kind: 'killed', reason: kills[0] ?? '?' }));
    const vm: RunningVm = {
      pid,
      accel: 'tcg',
      onConsole: () => {},
      wait: () => exit,
      kill: async (reason) => {
        kills.push(reason);
        await exit;
        untrack();
      },
      usage: async () => undefined,
      vmmLog: () => '',
    };
    untrack = trackVm(vm, pid);
    expect(liveVms.has(vm)).toBe(true);

    const done = killAllVms('hvbench received SIGTERM');
    // The SIGKILL went out synchronously, before any await (so it also works on 'exit').
    await expect.poll(() => processesInGroup(pid)).toEqual([]);
    await done;
    expect(kills).toEqual(['hvbench received SIGTERM']);
    expect(liveVms.has(vm)).toBe(false);
  });

  // The native backend's shape: a leader, unshare, and PID 1 of a new PID namespace whose
  // processes fork all the time. Right after the leader is reaped, a few of them are often
  // still dying (the namespace is torn down after its init is killed): a check then found
  // "a process still in the killed group". killGroupAndWait returns only once none is left.
  it.runIf(process.getuid?.() === 0)(
    'killGroupAndWait returns once no process of the group is left, also while a PID namespace forks',
    { timeout: 60_000 },
    async () => {
      for (let round = 0; round < 4; round++) {
        const child = host.spawn(
          [
            'busybox',
            'time',
            '-o',
            '/dev/null',
            'unshare',
            '--mount',
            '--pid',
            '--fork',
            '--kill-child',
            '--',
            'sh',
            '-c',
            'while :; do sleep 5 & sh -c "sleep 5 & dd if=/dev/zero of=/dev/null bs=1M count=100000" & done',
          ],
          { detached: true },
        );
        const pid = child.pid!;
        started.push(pid);
        await expect.poll(() => processesInGroup(pid).length).toBeGreaterThanOrEqual(30);
        expect((await groupMembers(pid)).map((m) => m.comm)).toContain('sleep');
        killProcessGroup(pid);
        await child.exited;
        expect(await killGroupAndWait(pid, { timeoutMs: 10_000 })).toEqual([]);
        // Checked at once, with nothing to wait for: not one survivor.
        expect(processesInGroup(pid)).toEqual([]);
      }
    },
  );

  it('killGroupAndWait names the members still there at the deadline', async () => {
    const { pid } = await twoSleeps();
    // A deadline already passed: nothing is killed, every member is named.
    const left = await killGroupAndWait(pid, { timeoutMs: -1 });
    expect(left.map((m) => m.comm).sort()).toEqual(expect.arrayContaining(['sleep']));
    expect(left.every((m) => /^[RSD]$/.test(m.state))).toBe(true);
  });
});
