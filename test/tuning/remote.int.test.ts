import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../src/hosts/local.ts';
import { SshHost } from '../../src/hosts/ssh-host.ts';
import { readProfile } from '../../src/tuning/read.ts';
import { writeSetting } from '../../src/tuning/stabilize.ts';
import { startSshd, type TestSshd } from '../support/sshd.ts';

// A private sshd on 127.0.0.1 plays the remote host: its files are this machine's, so what
// the script reads over SSH can be checked against what it reads here.

let sshd: TestSshd;
let host: SshHost;
let scratch = '';

beforeAll(async () => {
  sshd = await startSshd();
  scratch = await mkdtemp(join(tmpdir(), 'hvb-tuning-ssh-'));
  host = new SshHost(sshd.config(), { fileCacheDir: join(scratch, 'cache') });
});

afterAll(async () => {
  await host?.close();
  await sshd?.stop();
  if (scratch !== '') await rm(scratch, { recursive: true, force: true });
});

describe('the host profile over SSH', () => {
  it('reads what the local read finds, setting by setting', async () => {
    const [remote, local] = await Promise.all([readProfile(host), readProfile(new LocalHost())]);
    for (const k of ['governor', 'turbo', 'smt', 'thp', 'thpDefrag', 'cpuidle', 'maxCstate', 'irqbalance', 'swappiness', 'numa'] as const)
      expect(remote[k]).toEqual(local[k]);
  });

  it('reads a captured tree given as the root, and writes a value with spaces and quotes as one word', async () => {
    const p = await readProfile(host, fileURLToPath(new URL('../fixtures/tuning/bare-metal', import.meta.url)));
    expect(p.irqbalance).toEqual({ value: 'running', detail: 'pid 812' });
    const file = join(scratch, "it's a file");
    expect(await writeSetting(host, file, `a "b" 'c' $(d)`)).toBeUndefined();
    expect(await readFile(file, 'utf8')).toBe(`a "b" 'c' $(d)\n`);
    expect(await writeSetting(host, join(scratch, 'no/such/folder/file'), 'x')).toMatch(/No such file|nonexistent|can't create/i);
  });
});
