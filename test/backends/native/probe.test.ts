import { describe, expect, it } from 'vitest';
import { probeNative } from '../../../src/backends/native/probe.ts';
import { scriptedHost } from '../fixtures/scripted-host.ts';

describe('native probe', () => {
  it('answers from evidence: root, the programs, and a canary that enters the namespaces', async () => {
    const host = scriptedHost((argv) => (argv.includes('--version') ? { stdout: 'unshare from util-linux 2.38.1\n' } : {}));
    const c = await probeNative(host, 0);
    expect(c).toMatchObject({ backend: 'native', available: true, facts: { unshare: '2.38.1' } });
    expect(host.calls[0]).toEqual([
      expect.stringMatching(/unshare$/),
      '--mount',
      '--pid',
      '--fork',
      '--kill-child',
      '--',
      expect.stringMatching(/chroot$/),
      '/',
      'true',
    ]);
  });

  it('says why not: another user, a failing canary, a remote host', async () => {
    expect(
      await probeNative(
        scriptedHost(() => ({})),
        1000,
      ),
    ).toMatchObject({ available: false, reason: expect.stringMatching(/needs root .* \(running as uid 1000\)/), hint: expect.stringMatching(/root/) });
    const denied = scriptedHost(() => ({ exitCode: 1, stderr: 'unshare: unshare failed: Operation not permitted\n' }));
    expect(await probeNative(denied, 0)).toMatchObject({
      available: false,
      reason: expect.stringMatching(/cannot enter new mount and PID namespaces: .*Operation not permitted/),
    });
    const remote = { ...scriptedHost(() => ({})), kind: 'remote' as const, name: 'box' };
    expect(await probeNative(remote, 0)).toMatchObject({ available: false, reason: 'native runs work on the local host only, not on remote host box' });
  });
});
