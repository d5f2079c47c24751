import { chmod, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO } from './cli.ts';

// scripts/setup-host.sh is the set-up path of both README commands (demo.sh and test.sh).
describe('scripts/setup-host.sh --for-tests', () => {
  it.runIf(process.getuid?.() === 0)('tells a user who is not root which packages to install, and exits non-zero', async () => {
    // A PATH with only what the script itself uses: every tool it looks for is missing.
    const bin = await mkdtemp(join(tmpdir(), 'hvb-setup-path-'));
    try {
      await chmod(bin, 0o755);
      for (const tool of ['id', 'sort', 'dpkg-query']) await symlink(`/usr/bin/${tool}`, join(bin, tool));
      const r = await execa(
        '/usr/bin/setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', '/bin/bash', join(REPO, 'scripts/setup-host.sh'), '--for-tests'],
        { reject: false, env: { PATH: bin }, extendEnv: false },
      );
      expect(r.exitCode).toBe(1);
      const [line, how] = r.stderr.split('\n');
      expect(line).toMatch(/^hvbench needs these Debian packages: /);
      for (const pkg of ['busybox', 'socat', 'chromium', 'texlive-latex-base', 'qemu-system-x86']) expect(line!.split(' ')).toContain(pkg);
      expect(how).toMatch(/^install them as root: {2}apt-get update && apt-get install -y /);
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  it('is what npm test and CI run first', async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.test).toBe('bash scripts/test.sh');
    const testSh = await readFile(join(REPO, 'scripts/test.sh'), 'utf8');
    expect(testSh.indexOf('scripts/setup-host.sh --for-tests')).toBeGreaterThan(0);
    expect(testSh.indexOf('scripts/node-deps.sh')).toBeGreaterThan(testSh.indexOf('setup-host.sh'));
    const ci = await readFile(join(REPO, '.ci/run'), 'utf8');
    expect(ci.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('set ') && !l.startsWith('cd ') && !l.startsWith('export '))).toEqual([
      'npm test',
    ]);
  });
});
