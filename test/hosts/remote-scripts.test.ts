import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { watchdogCommand } from '../../src/hosts/remote-scripts.ts';

/** The watchdog wrapper run by a local `sh`, as sshd would run it on a remote host. */
function wrapped(argv: string[], forward: boolean, tmp: string) {
  return execa('sh', ['-c', watchdogCommand(argv, '', forward)], { reject: false, stdin: 'pipe', env: { TMPDIR: tmp }, timeout: 10_000 });
}

describe('watchdogCommand', () => {
  let tmp = '';
  afterEach(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('with forwardStdin, copies the channel to the program and removes its FIFO once both ends are open', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'hvb-wd-'));
    const child = wrapped(['sh', '-c', 'read -r a b; echo "got $a $b"; exit 7'], true, tmp);
    child.stdin!.write('go 1234\n');
    const result = await child;
    expect(result.stdout).toBe('got go 1234');
    expect(result.exitCode).toBe(7);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('with forwardStdin, still kills the program when the channel ends', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'hvb-wd-'));
    const child = wrapped(['sh', '-c', 'echo started; exec sleep 30'], true, tmp);
    const started = new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    await started;
    const t0 = Date.now();
    child.stdin!.end();
    const result = await child;
    expect(result.signal).toBe('SIGKILL');
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('without it, the program reads nothing from the channel', async () => {
    tmp = await mkdtemp(join(tmpdir(), 'hvb-wd-'));
    const child = wrapped(['sh', '-c', 'if read -r a; then echo "got $a"; else echo eof; fi'], false, tmp);
    child.stdin!.write('go 1234\n');
    const result = await child;
    expect(result.stdout).toBe('eof');
    child.stdin!.destroy();
  });
});
