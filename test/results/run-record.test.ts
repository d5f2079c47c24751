import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { gitRevision, hvbenchVersion } from '../../src/results/provenance.ts';
import { isRunId, makeRunId } from '../../src/results/run-id.ts';
import { errorInfo } from '../../src/results/run-record.ts';
import { HvbError } from '../../src/util/errors.ts';

describe('makeRunId', () => {
  it('uses the UTC date and time, the suite and four hex digits', () => {
    const id = makeRunId('quick', new Date('2025-12-31T23:59:58.999+01:00'), 'beef');
    expect(id).toBe('20251231-225958-quick-beef');
    expect(isRunId(id)).toBe(true);
    expect(makeRunId('quick')).toMatch(/^\d{8}-\d{6}-quick-[0-9a-f]{4}$/);
    expect(isRunId('results/20251231-225958-quick-beef')).toBe(false);
  });
});

describe('errorInfo', () => {
  it('keeps code, hint and the cause message', () => {
    const e = new HvbError('boot-timeout', 'the guest did not boot in 60 s', { hint: 'raise timeoutSec', cause: new Error('no ready line') });
    expect(errorInfo(e)).toEqual({ message: 'the guest did not boot in 60 s', code: 'boot-timeout', hint: 'raise timeoutSec', cause: 'no ready line' });
    expect(errorInfo('plain')).toEqual({ message: 'plain' });
  });
});

describe('provenance', () => {
  it('reads the package version', async () => {
    const v = await hvbenchVersion();
    expect(v.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(v.revision === 'unknown' || /^[0-9a-f]{40}$/.test(v.revision)).toBe(true);
  });

  it('says unknown outside a git checkout', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hvbench-git-'));
    try {
      expect(await gitRevision(dir)).toEqual({ revision: 'unknown' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('gitRevision in a checkout', () => {
  it('gives HEAD and the dirty flag at the top of a checkout, unknown in a folder inside another repository', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hvbench-git-'));
    try {
      const git = (...args: string[]) => execa('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args]);
      await git('init', '-q');
      await writeFile(path.join(dir, 'a.txt'), 'a');
      await git('add', 'a.txt');
      await git('commit', '-q', '-m', 'first');
      const head = (await git('rev-parse', 'HEAD')).stdout;
      expect(await gitRevision(dir)).toEqual({ revision: head, dirty: false });
      await writeFile(path.join(dir, 'a.txt'), 'b');
      expect(await gitRevision(dir)).toEqual({ revision: head, dirty: true });
      const nested = path.join(dir, 'node_modules', 'hvbench');
      await mkdir(nested, { recursive: true });
      expect(await gitRevision(nested)).toEqual({ revision: 'unknown' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
