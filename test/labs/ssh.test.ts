import { describe, expect, it } from 'vitest';
import type { HostConfig } from '../../src/hosts/host.ts';
import { knownHostsLine, labSshArgv } from '../../src/labs/ssh.ts';

// Quoting the remote command is shell-quote.ts's, tested in test/hosts/shell-quote.test.ts.
const target = { address: '127.0.0.1', port: 40022, user: 'root', identityFile: '/s/kvm/id_ed25519', knownHostsFile: '/s/kvm/known_hosts' };
const lab = (ssh: HostConfig['ssh'] = target): HostConfig => ({ name: 'lab-kvm', kind: 'lab', backends: ['kvm'], ssh });

describe('ssh to a lab', () => {
  it('uses the pinned known_hosts only, key auth only, no config files, no prompts, and no multiplexing master', () => {
    expect(labSshArgv(lab(), ['uname', '-r'], { connectTimeoutS: 20 })).toEqual([
      'ssh',
      '-F',
      'none',
      '-T',
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-i',
      '/s/kvm/id_ed25519',
      '-o',
      'UserKnownHostsFile=/s/kvm/known_hosts',
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'UpdateHostKeys=no',
      '-o',
      'CheckHostIP=no',
      '-o',
      'ConnectTimeout=20',
      '-o',
      'ServerAliveInterval=10',
      '-o',
      'ServerAliveCountMax=3',
      '-o',
      'LogLevel=ERROR',
      '-p',
      '40022',
      '-l',
      'root',
      '--',
      '127.0.0.1',
      "'uname' '-r'",
    ]);
    expect(() => labSshArgv(lab({ ...target, knownHostsFile: '/a b/known_hosts' }), ['true'])).toThrow(/must be a path without white space/);
    expect(() => labSshArgv(lab({ address: '127.0.0.1', knownHostsFile: '/s/kvm/known_hosts' }), ['true'])).toThrow(/identity file and a known_hosts/);
    expect(() => labSshArgv(lab({ address: '127.0.0.1', identityFile: '/s/kvm/id_ed25519' }), ['true'])).toThrow(/knownHostsFile is required/);
    expect(() => labSshArgv(lab(), [])).toThrow(/at least the program name/);
  });

  it('writes a known_hosts line for [127.0.0.1]:port and refuses a malformed key', () => {
    expect(knownHostsLine(40022, 'ssh-ed25519', 'AAAAC3Nz+/=')).toBe('[127.0.0.1]:40022 ssh-ed25519 AAAAC3Nz+/=\n');
    expect(() => knownHostsLine(1, 'ssh-ed25519', 'AAAA\n[evil]:22 ssh-rsa X')).toThrow(/malformed/);
    expect(() => knownHostsLine(1, 'ssh ed25519', 'AAAA')).toThrow(/malformed/);
  });
});
