import { describe, expect, it } from 'vitest';
import { describeProcessExit, EXIT_PIPES_GRACE_MS, spawnPiped } from '../../src/hosts/piped-process.ts';

describe('spawnPiped', () => {
  it('reports the exit status and the output streams in hvbench’s terms', async () => {
    const child = spawnPiped('sh', ['-c', 'echo out; echo err >&2; exit 3'], { detached: false });
    expect(child.pid).toBeGreaterThan(0);
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exit = await child.exited;
    expect(exit).toEqual({ exitCode: 3, signal: null });
    expect([out, err]).toEqual(['out\n', 'err\n']);
    expect(describeProcessExit(exit)).toBe('exit code 3');
  });

  it('reports a signal, and kill() sends SIGKILL by default', async () => {
    const child = spawnPiped('sleep', ['30'], { detached: true });
    expect(child.kill()).toBe(true);
    const exit = await child.exited;
    expect(exit).toEqual({ exitCode: null, signal: 'SIGKILL' });
    expect(describeProcessExit(exit)).toBe('killed by SIGKILL');
  });

  it('a program that cannot start has no pid, and its exit says why instead of rejecting', async () => {
    const child = spawnPiped('hvbench-no-such-program', [], { detached: true });
    expect(child.pid).toBeUndefined();
    const exit = await child.exited;
    expect(exit).toMatchObject({ exitCode: null, signal: null, error: expect.stringContaining('ENOENT') });
    expect(describeProcessExit(exit)).toContain('hvbench-no-such-program');
  });

  it('ends at the exit, after a grace, when another process holds its output pipe', async () => {
    // The background sleep inherits stdout and keeps it open for 30 s after sh exited.
    const child = spawnPiped('sh', ['-c', 'sleep 30 & exit 4'], { detached: true });
    const t0 = Date.now();
    const exit = await child.exited;
    const ms = Date.now() - t0;
    expect(exit).toEqual({ exitCode: 4, signal: null });
    expect(ms).toBeGreaterThanOrEqual(EXIT_PIPES_GRACE_MS - 100);
    expect(ms).toBeLessThan(20_000);
    process.kill(-child.pid!, 'SIGKILL');
  });
});
