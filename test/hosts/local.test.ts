import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalHost, removeTempDirsSync } from '../../src/hosts/local.ts';

const host = new LocalHost();

describe('LocalHost', () => {
  it('is the local host', () => {
    expect(host.name).toBe('local');
    expect(host.kind).toBe('local');
    expect(new LocalHost('bench-1').name).toBe('bench-1');
  });

  it('runs argv arrays without a shell: arguments stay literal', async () => {
    const result = await host.exec(['printf', '%s|', 'a b', '$HOME', '; rm -rf /', '*']);
    expect(result).toEqual({ exitCode: 0, stdout: 'a b|$HOME|; rm -rf /|*|', stderr: '' });
  });

  it('reports a non-zero exit instead of throwing, with both streams', async () => {
    const result = await host.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(result).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('feeds input on stdin', async () => {
    expect((await host.exec(['cat'], { input: 'hello\n' })).stdout).toBe('hello\n');
  });

  it('reports a missing program as exit code 127', async () => {
    const result = await host.exec(['hvbench-no-such-program-x']);
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toMatch(/ENOENT/);
  });

  it('reports a timeout as exit code 124', async () => {
    const result = await host.exec(['sleep', '5'], { timeoutMs: 100 });
    expect(result.exitCode).toBe(124);
    expect(result.stderr).toContain('timed out after 100 ms');
  });

  it('reports death by a signal as 128 + its number', async () => {
    const result = await host.exec(['sh', '-c', 'kill -TERM $$']);
    expect(result.exitCode).toBe(128 + 15);
    expect(result.stderr).toContain('SIGTERM');
  });

  it('rejects an empty argv', async () => {
    await expect(host.exec([])).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('spawns with piped stdio, env and cwd', async () => {
    const dir = await host.makeTempDir('hvb-local-test-');
    try {
      const child = host.spawn(['sh', '-c', 'pwd; echo "$HVB_X"; cat'], { cwd: dir, env: { HVB_X: 'from-env' } });
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stdin!.end('from-stdin\n');
      const result = await child.exited;
      expect(result.exitCode).toBe(0);
      expect(out).toBe(`${dir}\nfrom-env\nfrom-stdin\n`);
    } finally {
      await host.removeTree(dir);
    }
  });

  it('makes private temporary directories, reads files, removes trees', async () => {
    const dir = await host.makeTempDir('hvb-local-test-');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(dir).toMatch(/hvb-local-test-[^/]+$/);
    await writeFile(join(dir, 'f.txt'), 'ünïcode\n');
    expect(await host.readFile(join(dir, 'f.txt'))).toBe('ünïcode\n');
    await host.removeTree(dir);
    expect(existsSync(dir)).toBe(false);
    await host.removeTree(dir); // already gone: fine
    await expect(host.makeTempDir('a/b')).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('removes, on a forced exit, the temporary directories it made and nothing removed yet', async () => {
    const kept = await host.makeTempDir('hvb-local-test-');
    const removed = await host.makeTempDir('hvb-local-test-');
    await writeFile(join(kept, 'disk.img'), 'x');
    await host.removeTree(removed);
    const other = mkdtempSync(join(tmpdir(), 'hvb-local-other-'));
    try {
      removeTempDirsSync();
      expect(existsSync(kept)).toBe(false);
      // Not made through a LocalHost: not its to remove.
      expect(existsSync(other)).toBe(true);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
