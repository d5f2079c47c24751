import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labStatus, labUp, type LabUpResult } from '../../src/labs/lab.ts';
import { processGone } from '../../src/labs/proc.ts';
import { runningLabHosts } from '../../src/labs/registry.ts';
import { labHostConfig } from '../../src/labs/state.ts';
import { sshRun } from '../../src/labs/ssh.ts';

// Boots Xen and its Linux dom0 for real under QEMU TCG, in its own state folder; the lab
// is taken down whatever happens.
const MINUTES = 60_000;
let stateRoot: string;
let up: LabUpResult;

beforeAll(async () => {
  stateRoot = await mkdtemp(join(tmpdir(), 'hvb-lab-xen-'));
});
afterAll(async () => {
  await labDown('xen', { stateRoot });
  await rm(stateRoot, { recursive: true, force: true });
}, 60_000);

describe('Xen lab', () => {
  it('comes up and answers over SSH with its pinned host key', { timeout: 8 * MINUTES }, async () => {
    up = await labUp('xen', { stateRoot, log: (l) => process.stderr.write(`xen lab: ${l}\n`) });
    expect(up.alreadyUp).toBe(false);
    process.stderr.write(`xen lab timings (ms): ${JSON.stringify(up.timings)}\n`);
    expect(await labStatus('xen', { stateRoot })).toMatchObject({ up: true, sshAnswers: true, host: 'lab-xen' });
    expect((await runningLabHosts(stateRoot)).map((h) => [h.name, h.kind, h.backends])).toEqual([['lab-xen', 'lab', ['xen']]]);
  });

  it('is dom0 of a Xen whose xl info reports hardware virtualization', { timeout: 3 * MINUTES }, async () => {
    const target = labHostConfig(up.state).ssh!;
    const uname = await sshRun(target, ['uname', '-r']);
    expect(uname.stdout.trim()).toBe(up.state.kernelVersion);
    const info = await sshRun(target, ['xl', 'info'], 120_000);
    expect(info.exitCode).toBe(0);
    expect(info.stdout).toMatch(/^virt_caps\s*: .*\bhvm\b.*\bhap\b/m);
    expect(info.stdout).toMatch(/^xen_version\s*: 4\.17\./m);
    expect(info.stderr).not.toMatch(/Failed to read config file/);
    const list = await sshRun(target, ['xl', 'list'], 120_000);
    expect(list.stdout).toMatch(/^Domain-0\s+0\s/m);
  });

  it('goes down: QEMU gone, state removed', { timeout: 2 * MINUTES }, async () => {
    expect(await labDown('xen', { stateRoot })).toEqual({ wasUp: true });
    expect(processGone(up.state.pid)).toBe(true);
    await expect(stat(join(stateRoot, 'xen'))).rejects.toThrow(/ENOENT/);
    expect(await labStatus('xen', { stateRoot })).toMatchObject({ up: false });
    expect(await runningLabHosts(stateRoot)).toEqual([]);
  });
});
