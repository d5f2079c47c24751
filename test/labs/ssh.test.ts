import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { knownHostsLine, remoteCommand, shellQuote, sshArgv } from '../../src/labs/ssh.ts';

const target = { address: '127.0.0.1', port: 40022, user: 'root', identityFile: '/s/kvm/id_ed25519', knownHostsFile: '/s/kvm/known_hosts' };

describe('ssh to a lab', () => {
  it('quotes every word of the remote command for the remote shell', () => {
    const words = ['printf', '%s|', "it's", '$(reboot)', 'a b', '`x`', ';', ''];
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    // A real POSIX shell gives back exactly the words.
    const out = execFileSync('sh', ['-c', remoteCommand(words)], { encoding: 'utf8' });
    expect(out).toBe("it's|$(reboot)|a b|`x`|;||");
    expect(() => remoteCommand([])).toThrow(/at least one word/);
  });

  it('uses the pinned known_hosts only, key auth only, no config files, no prompts', () => {
    expect(sshArgv(target, ['uname', '-r'], { connectTimeoutSec: 20 })).toEqual([
      'ssh', '-F', 'none',
      '-i', '/s/kvm/id_ed25519',
      '-o', 'IdentitiesOnly=yes',
      '-o', 'UserKnownHostsFile=/s/kvm/known_hosts',
      '-o', 'GlobalKnownHostsFile=/dev/null',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'BatchMode=yes',
      '-o', 'ConnectTimeout=20',
      '-o', 'ServerAliveInterval=15',
      '-o', 'LogLevel=ERROR',
      '-p', '40022',
      'root@127.0.0.1',
      '--',
      "'uname' '-r'",
    ]);
    expect(() => sshArgv({ ...target, knownHostsFile: '/a b/known_hosts' }, ['true'])).toThrow(/cannot take this path/);
    expect(() => sshArgv({ address: '127.0.0.1' }, ['true'])).toThrow(/identity file and a known_hosts/);
  });

  it('writes a known_hosts line for [127.0.0.1]:port and refuses a malformed key', () => {
    expect(knownHostsLine(40022, 'ssh-ed25519', 'AAAAC3Nz+/=')).toBe('[127.0.0.1]:40022 ssh-ed25519 AAAAC3Nz+/=\n');
    expect(() => knownHostsLine(1, 'ssh-ed25519', 'AAAA\n[evil]:22 ssh-rsa X')).toThrow(/malformed/);
    expect(() => knownHostsLine(1, 'ssh ed25519', 'AAAA')).toThrow(/malformed/);
  });
});
