import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHostsFile, parseHostsFile } from '../../src/hosts/hosts-file.ts';
import { HvbError } from '../../src/util/errors.ts';

const known = ['tcg', 'kvm', 'xen', 'native'];
const good = {
  name: 'kvm1',
  address: '192.0.2.10',
  user: 'root',
  port: 2222,
  identityFile: 'id_ed25519',
  knownHostsFile: '/etc/hvbench/known_hosts',
  backends: ['kvm', 'tcg'],
};

function problems(json: unknown): string {
  try {
    parseHostsFile(json, 'hosts.json', known);
  } catch (e) {
    if (e instanceof HvbError) return e.message;
    throw e;
  }
  throw new Error('expected an error');
}

describe('hosts file', () => {
  it('gives remote host configs with paths relative to the file', () => {
    const [h] = parseHostsFile({ hosts: [good] }, '/srv/bench/hosts.json', known);
    expect(h).toEqual({
      name: 'kvm1',
      kind: 'remote',
      backends: ['kvm', 'tcg'],
      ssh: { address: '192.0.2.10', port: 2222, user: 'root', identityFile: '/srv/bench/id_ed25519', knownHostsFile: '/etc/hvbench/known_hosts' },
    });
  });

  it.each([
    ['a missing pinned host key', { hosts: [{ ...good, knownHostsFile: undefined }] }, 'hosts.json: hosts[0].knownHostsFile:'],
    ['an unknown field', { hosts: [{ ...good, strictHostKeyChecking: 'no' }] }, 'hosts.json: hosts[0]: Unrecognized key: "strictHostKeyChecking"'],
    ['an address that is an option', { hosts: [{ ...good, address: '-oProxyCommand=x' }] }, 'hosts.json: hosts[0].address: expected a host name or IP address'],
    ['an unknown backend', { hosts: [{ ...good, backends: ['kvm', 'vmware'] }] }, 'hosts.json: hosts[0].backends[1]: unknown backend "vmware"'],
    ['a reserved name', { hosts: [{ ...good, name: 'lab-kvm' }] }, `hosts.json: hosts[0].name: "lab-kvm" is hvbench's own name`],
    ['a name twice', { hosts: [good, good] }, 'hosts.json: hosts[1].name: "kvm1" is listed twice'],
    ['no hosts list', {}, 'hosts.json: hosts:'],
    [
      'a relative scratch folder',
      { hosts: [{ ...good, scratchDir: 'scratch' }] },
      'hosts.json: hosts[0].scratchDir: expected an absolute folder on the remote host',
    ],
    ['a scratch folder with ..', { hosts: [{ ...good, scratchDir: '/srv/../tmp' }] }, 'hosts.json: hosts[0].scratchDir: expected a folder without ".."'],
  ])('refuses %s, naming the file and the field', (_, json, expected) => {
    expect(problems(json)).toContain(expected);
  });

  it('keeps a scratch folder as the remote host names it, never relative to the hosts file', () => {
    const [h] = parseHostsFile({ hosts: [{ ...good, scratchDir: '/srv/scratch/' }] }, '/srv/bench/hosts.json', known);
    expect(h?.scratchDir).toBe('/srv/scratch/');
    const [plain] = parseHostsFile({ hosts: [good] }, '/srv/bench/hosts.json', known);
    expect(plain).not.toHaveProperty('scratchDir');
  });

  it('says which file is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvb-hosts-'));
    const path = join(dir, 'hosts.json');
    await writeFile(path, '{ "hosts": [ }');
    await expect(loadHostsFile(path, known)).rejects.toThrow(`${path}: not valid JSON`);
    await expect(loadHostsFile(join(dir, 'missing.json'), known)).rejects.toThrow('cannot read hosts file');
  });
});
