import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../src/hosts/local.ts';
import type { SshHost } from '../../src/hosts/ssh-host.ts';
import { readProfile } from '../../src/tuning/read.ts';
import { writeSetting } from '../../src/tuning/stabilize.ts';
import { startSshHost, type TestSshHost } from '../support/ssh-host.ts';

// A private sshd on 127.0.0.1 plays the remote host: its files are this machine's, so what
// the script reads over SSH can be checked against what it reads here.

let ssh: TestSshHost | undefined;
let host: SshHost;
let scratch = '';

beforeAll(async () => {
  ssh = await startSshHost('hvb-tuning-ssh-');
  ({ host, dir: scratch } = ssh);
});

afterAll(async () => {
  await ssh?.stop();
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
