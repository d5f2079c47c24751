import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labStatus, labUp, type LabUpResult } from '../../src/labs/lab.ts';
import { processGone } from '../../src/labs/proc.ts';
import { runningLabHosts } from '../../src/labs/registry.ts';
import { labHostConfig } from '../../src/labs/state.ts';
import { sshRun } from '../../src/labs/ssh.ts';

// Boots the KVM lab for real under QEMU TCG: image from Debian packages (shared download
// cache), its own state folder, and the lab taken down whatever happens.
const MINUTES = 60_000;
let stateRoot: string;
let up: LabUpResult;

beforeAll(async () => {
  stateRoot = await mkdtemp(join(tmpdir(), 'hvb-lab-kvm-'));
});
afterAll(async () => {
  await labDown('kvm', { stateRoot });
  await rm(stateRoot, { recursive: true, force: true });
}, 60_000);

describe('KVM lab', () => {
  it('comes up and answers over SSH with its pinned host key', { timeout: 8 * MINUTES }, async () => {
    up = await labUp('kvm', { stateRoot, log: (l) => process.stderr.write(`kvm lab: ${l}\n`) });
    expect(up.alreadyUp).toBe(false);
    process.stderr.write(`kvm lab timings (ms): ${JSON.stringify(up.timings)}\n`);
    const status = await labStatus('kvm', { stateRoot });
    expect(status).toMatchObject({ up: true, sshAnswers: true, host: 'lab-kvm' });
    expect(status.state?.port).toBe(up.state.port);
    expect((await runningLabHosts(stateRoot)).map((h) => [h.name, h.kind, h.backends, h.ssh?.address])).toEqual([['lab-kvm', 'lab', ['kvm', 'tcg'], '127.0.0.1']]);
  });

  it('a second up is a no-op', async () => {
    const again = await labUp('kvm', { stateRoot });
    expect(again.alreadyUp).toBe(true);
    expect(again.state.pid).toBe(up.state.pid);
  });

  it('runs the generic kernel with /dev/kvm, and QEMU inside gets KVM', { timeout: 3 * MINUTES }, async () => {
    const target = labHostConfig(up.state).ssh!;
    const uname = await sshRun(target, ['uname', '-r']);
    expect(uname).toMatchObject({ exitCode: 0 });
    expect(uname.stdout.trim()).toBe(up.state.kernelVersion);
    expect(await sshRun(target, ['ls', '/dev/kvm'])).toMatchObject({ exitCode: 0, stdout: '/dev/kvm' });
    const qmp = '{"execute":"qmp_capabilities"}\n{"execute":"query-kvm"}\n{"execute":"quit"}\n';
    const inner = await sshRun(target, ['sh', '-c', `printf '%s' '${qmp}' | qemu-system-x86_64 -machine none -accel kvm -display none -qmp stdio`], 120_000);
    expect(inner.stdout).toContain('{"return": {"enabled": true, "present": true}}');
  });

  it('goes down: QEMU gone, state removed', { timeout: 2 * MINUTES }, async () => {
    expect(await labDown('kvm', { stateRoot })).toEqual({ wasUp: true });
    expect(processGone(up.state.pid)).toBe(true);
    await expect(stat(join(stateRoot, 'kvm'))).rejects.toThrow(/ENOENT/);
    expect(await labStatus('kvm', { stateRoot })).toMatchObject({ up: false });
    expect(await runningLabHosts(stateRoot)).toEqual([]);
    expect(await labDown('kvm', { stateRoot })).toEqual({ wasUp: false });
  });
});
