import { describe, expect, it } from 'vitest';
import { CommandFailed, runCommand, tail } from '../../src/guest/command.ts';

describe('host commands', () => {
  it('returns the output of a command that succeeds', async () => {
    expect(await runCommand(['sh', '-c', 'echo out; echo err >&2'], 'testing')).toEqual({ stdout: 'out', stderr: 'err' });
  });

  it('says which program is missing and which package provides it', async () => {
    await expect(runCommand(['dpkg-deb-not-here'], 'unpacking x')).rejects.toThrow(
      'dpkg-deb-not-here is needed for unpacking x but was not found on this host',
    );
    const e = await runCommand(['apt-get', '--version'], 'x', { env: { PATH: '/nonexistent' } }).catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'command-missing', hint: 'install it with: apt-get install apt' });
  });

  it('reports the exit code and the tail of the error output of a failing command', async () => {
    const e = await runCommand(['sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do echo line$i >&2; done; exit 3'], 'resolving').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(CommandFailed);
    expect((e as CommandFailed).message).toBe('resolving: sh failed (exit code 3):\nline3\nline4\nline5\nline6\nline7\nline8');
  });

  it('keeps the last lines of a text', () => {
    expect(tail('a\nb\nc\n', 2)).toBe('b\nc');
  });
});
