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

  it('says why not: another user, a failing canary, a remote host without the programs', async () => {
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
    // A remote host without util-linux's unshare: its PATH search finds none.
    const bare = { ...scriptedHost(() => ({ stdout: 'unshare=\nchroot=/usr/sbin/chroot\n' })), kind: 'remote' as const, name: 'box' };
    expect(await probeNative(bare, 0)).toMatchObject({ available: false, reason: 'missing unshare (Debian: util-linux)' });
  });

  it('asks another host over its own commands: its user, its programs, the canary, its kernel', async () => {
    const remote = {
      ...scriptedHost((argv) => {
        if (argv[0] === 'id') return { stdout: '0\n' };
        if (argv[0] === 'sh') return { stdout: 'unshare=/usr/bin/unshare\nchroot=/usr/sbin/chroot\n' };
        if (argv[0] === 'uname') return { stdout: '6.1.0-lab\n' };
        return argv.includes('--version') ? { stdout: 'unshare from util-linux 2.38.1\n' } : {};
      }),
      kind: 'lab' as const,
      name: 'lab-kvm',
    };
    expect(await probeNative(remote)).toMatchObject({
      available: true,
      reason: expect.stringContaining("host lab-kvm's kernel 6.1.0-lab"),
      facts: { unshare: '2.38.1', hostKernel: '6.1.0-lab' },
    });
    expect(remote.calls).toContainEqual(['/usr/bin/unshare', '--mount', '--pid', '--fork', '--kill-child', '--', '/usr/sbin/chroot', '/', 'true']);
    // Not root there: said with the uid it found.
    const user = { ...scriptedHost((argv) => (argv[0] === 'id' ? { stdout: '1000\n' } : {})), kind: 'remote' as const, name: 'box' };
    expect(await probeNative(user)).toMatchObject({ available: false, reason: expect.stringContaining('running as uid 1000') });
  });
});
