import { afterEach, describe, expect, it } from 'vitest';
import type { RunningVm, VmExit } from '../../src/backends/backend.ts';
import { killAllVms, liveVms, trackVm } from '../../src/backends/live-vms.ts';
import { killProcessGroup, processExists } from '../../src/backends/process-group.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { isRunning, processesInGroup } from './fixtures/proc-scan.ts';

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
    const result = await child;
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
    const exit = child.then((): VmExit => ({ kind: 'killed', reason: kills[0] ?? '?' }));
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
});
