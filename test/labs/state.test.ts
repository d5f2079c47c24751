import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processGone, processStart } from '../../src/util/proc.ts';
import { runningLabHosts } from '../../src/labs/registry.ts';
import {
  defaultLabStateRoot,
  labHostConfig,
  labPaths,
  labProcessAlive,
  readLabState,
  removeLabState,
  writeLabState,
  type LabState,
} from '../../src/labs/state.ts';

let root: string;
let child: ChildProcess | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'hvb-labstate-'));
});
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await rm(root, { recursive: true, force: true });
});

function state(over: Partial<LabState> = {}): LabState {
  const p = labPaths(root, 'kvm');
  return {
    format: 1,
    lab: 'kvm',
    variant: 'kvm',
    pid: 123456,
    pidStartTicks: 42,
    startedAt: '2026-01-01T00:00:00.000Z',
    port: 40022,
    identityFile: p.identityFile,
    knownHostsFile: p.knownHosts,
    consoleLog: p.consoleLog,
    imageId: '0123456789abcdef',
    imageHash: 'fedcba9876543210',
    kernelVersion: '6.1.0-9-amd64',
    nonce: 'ab'.repeat(12),
    ...over,
  };
}

/** A live process whose argv names the lab's console log, as the lab's QEMU does. */
async function fakeQemu(consoleLog: string): Promise<number> {
  child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', consoleLog], { stdio: 'ignore' });
  const pid = child.pid as number;
  for (let i = 0; i < 100 && processStart(pid) === undefined; i++) await new Promise((r) => setTimeout(r, 10));
  return pid;
}

describe('lab state files', () => {
  it('round-trips through state.json in a private folder; removing it removes the folder', async () => {
    await writeLabState(root, state());
    expect(await readLabState(root, 'kvm')).toEqual(state());
    expect((await stat(labPaths(root, 'kvm').dir)).mode & 0o777).toBe(0o700);
    expect(await readLabState(root, 'xen')).toBeUndefined();
    await removeLabState(root, 'kvm');
    await expect(stat(labPaths(root, 'kvm').dir)).rejects.toThrow(/ENOENT/);
    expect(await readLabState(root, 'kvm')).toBeUndefined();
  });

  it('treats a damaged, foreign or invalid state file as no state', async () => {
    const p = labPaths(root, 'kvm');
    await mkdir(p.dir, { recursive: true });
    await writeFile(p.state, '{ not json');
    expect(await readLabState(root, 'kvm')).toBeUndefined();
    await writeFile(p.state, JSON.stringify({ ...state(), lab: 'xen' }));
    expect(await readLabState(root, 'kvm')).toBeUndefined();
    await writeFile(p.state, JSON.stringify({ ...state(), port: 0 }));
    expect(await readLabState(root, 'kvm')).toBeUndefined();
    await writeFile(p.state, JSON.stringify({ ...state(), extra: 1 }));
    expect(await readLabState(root, 'kvm')).toBeUndefined();
    await expect(writeLabState(root, { ...state(), nonce: 'x' })).rejects.toThrow();
  });

  it('knows its QEMU by pid, start time and argv: a recycled pid or another process is not the lab', async () => {
    const consoleLog = labPaths(root, 'kvm').consoleLog;
    const pid = await fakeQemu(consoleLog);
    const ticks = processStart(pid) as number;
    expect(ticks).toBeGreaterThan(0);
    expect(labProcessAlive({ pid, pidStartTicks: ticks, consoleLog })).toBe(true);
    expect(labProcessAlive({ pid, pidStartTicks: ticks + 1, consoleLog })).toBe(false);
    expect(labProcessAlive({ pid, pidStartTicks: ticks, consoleLog: '/elsewhere/console.log' })).toBe(false);
    expect(labProcessAlive({ pid: process.pid, pidStartTicks: processStart(process.pid) as number, consoleLog })).toBe(false);
    child?.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));
    expect(processGone(pid)).toBe(true);
    expect(labProcessAlive({ pid, pidStartTicks: ticks, consoleLog })).toBe(false);
  });

  it('a lab is an SSH host on the loopback address with its own key and pinned known_hosts', () => {
    expect(labHostConfig(state())).toEqual({
      name: 'lab-kvm',
      kind: 'lab',
      backends: ['kvm', 'tcg', 'native'],
      ssh: { address: '127.0.0.1', port: 40022, user: 'root', identityFile: join(root, 'kvm', 'id_ed25519'), knownHostsFile: join(root, 'kvm', 'known_hosts') },
    });
    const xen = labHostConfig({ ...state(), lab: 'xen', variant: 'xen' });
    expect([xen.name, xen.backends]).toEqual(['lab-xen', ['xen']]);
  });

  it('runningLabHosts lists only labs whose QEMU runs and whose SSH answered', async () => {
    expect(await runningLabHosts(root)).toEqual([]);
    const pid = await fakeQemu(labPaths(root, 'kvm').consoleLog);
    const alive = state({ pid, pidStartTicks: processStart(pid) as number });
    await writeLabState(root, alive);
    expect(await runningLabHosts(root)).toEqual([]); // booting: no readyAt yet
    await writeLabState(root, { ...alive, readyAt: '2026-01-01T00:01:00.000Z' });
    expect((await runningLabHosts(root)).map((h) => h.name)).toEqual(['lab-kvm']);
    await writeLabState(root, { ...alive, pidStartTicks: alive.pidStartTicks + 7, readyAt: '2026-01-01T00:01:00.000Z' });
    expect(await runningLabHosts(root)).toEqual([]);
  });

  it('lives under the hvbench cache root ($HVBENCH_CACHE)', () => {
    expect(defaultLabStateRoot({ HVBENCH_CACHE: '/x/cache' })).toBe('/x/cache/labs');
    expect(labPaths('/x/cache/labs', 'xen').state).toBe('/x/cache/labs/xen/state.json');
  });
});
