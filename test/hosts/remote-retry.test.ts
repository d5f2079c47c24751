import { describe, expect, it } from 'vitest';
import type { ExecResult, Host } from '../../src/hosts/host.ts';
import { execSetup, isTransientSshFailure, SETUP_RETRIES, transientRetries, withRetryListener, type TransientRetry } from '../../src/hosts/remote-retry.ts';

/** A host whose exec answers from a script of results, one per call. */
function scripted(kind: Host['kind'], results: ExecResult[]): { host: Host; calls: number } {
  const state = { calls: 0 };
  const host = {
    name: `h-${kind}`,
    kind,
    async exec(): Promise<ExecResult> {
      const r = results[state.calls] ?? { exitCode: 0, stdout: 'late', stderr: '' };
      state.calls++;
      return r;
    },
  } as unknown as Host;
  return Object.defineProperty({ host, calls: 0 }, 'calls', { get: () => state.calls });
}

const lost: ExecResult = { exitCode: 255, stdout: '', stderr: '' };
const ok: ExecResult = { exitCode: 0, stdout: 'made\n', stderr: '' };

describe('setup commands lost to ssh', () => {
  it('runs a setup command again once after ssh exited 255 saying nothing, and records it', async () => {
    const before = transientRetries().length;
    const s = scripted('lab', [lost, ok]);
    expect(await execSetup(s.host, ['mkdir', '-p', '/tmp/x'])).toEqual(ok);
    expect(s.calls).toBe(2);
    expect(transientRetries().slice(before)).toEqual([{ host: 'h-lab', command: 'mkdir', attempt: 1, at: expect.any(String) }]);
  });

  it(`gives up after ${SETUP_RETRIES} retry and returns ssh's failure`, async () => {
    const s = scripted('remote', [lost, lost, ok]);
    expect(await execSetup(s.host, ['mkdir', '-p', '/tmp/x'])).toEqual(lost);
    expect(s.calls).toBe(1 + SETUP_RETRIES);
  });

  it('does not retry what is not a transport failure: a program that said why, another exit code, or a local 255', async () => {
    const said = { exitCode: 255, stdout: '', stderr: 'qemu-img: some reason\n' };
    for (const [kind, result] of [
      ['remote', said],
      ['remote', { exitCode: 1, stdout: '', stderr: '' }],
      ['local', lost],
    ] as const) {
      const s = scripted(kind, [result, ok]);
      expect(await execSetup(s.host, ['qemu-img', 'create'])).toEqual(result);
      expect(s.calls).toBe(1);
      expect(isTransientSshFailure(s.host, result)).toBe(false);
    }
  });
});

describe('who hears of a retry', () => {
  it('tells the listener of the work in progress, each of two side by side its own, and nobody after', async () => {
    const heard: Record<string, TransientRetry[]> = { a: [], b: [] };
    const a = scripted('remote', [lost, ok]);
    const b = scripted('lab', [lost, lost, ok]);
    await Promise.all([
      withRetryListener(
        (r) => heard.a!.push(r),
        () => execSetup(a.host, ['mkdir', '-p', '/tmp/a']),
      ),
      withRetryListener(
        (r) => heard.b!.push(r),
        async () => {
          // Deeper down and after an await, as a backend's launch makes its folder.
          await new Promise((r) => setTimeout(r, 5));
          await execSetup(b.host, ['qemu-img', 'create']);
        },
      ),
    ]);
    expect(heard.a).toEqual([{ host: 'h-remote', command: 'mkdir', attempt: 1, at: expect.any(String) }]);
    expect(heard.b).toEqual([{ host: 'h-lab', command: 'qemu-img', attempt: 1, at: expect.any(String) }]);
    const c = scripted('remote', [lost, ok]);
    await execSetup(c.host, ['mkdir', '-p', '/tmp/c']);
    expect(heard.a).toHaveLength(1);
    expect(heard.b).toHaveLength(1);
  });
});
