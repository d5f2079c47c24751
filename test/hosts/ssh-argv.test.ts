import { describe, expect, it } from 'vitest';
import type { HostConfig } from '../../src/hosts/host.ts';
import { describeTarget, resolveSshTarget, sshCommandArgv, sshControlArgv, sshOnceArgv } from '../../src/hosts/ssh-argv.ts';
import { plainCommand, watchdogCommand } from '../../src/hosts/remote-scripts.ts';
import { socatUnixArgv } from '../../src/hosts/remote-socket.ts';

const config = (overrides: Partial<HostConfig> = {}, ssh: Partial<NonNullable<HostConfig['ssh']>> = {}): HostConfig => ({
  name: 'bench1',
  kind: 'remote',
  backends: ['kvm'],
  ...overrides,
  ssh: { address: 'bench1.example', port: 2222, user: 'root', identityFile: '/keys/id', knownHostsFile: '/keys/known_hosts', ...ssh },
});

function option(argv: string[], name: string): string | undefined {
  return argv.find((word, i) => argv[i - 1] === '-o' && word.startsWith(`${name}=`))?.slice(name.length + 1);
}

describe('resolveSshTarget', () => {
  it('needs a known_hosts file for remote hosts, naming the host and the field', () => {
    expect(() => resolveSshTarget(config({}, { knownHostsFile: undefined }))).toThrow(
      expect.objectContaining({ code: 'invalid-host', message: expect.stringMatching(/host "bench1": ssh\.knownHostsFile is required/) }),
    );
  });

  it('needs one for labs too, with a hint about the lab', () => {
    expect(() => resolveSshTarget(config({ kind: 'lab' }, { knownHostsFile: undefined }))).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('lab writes its known_hosts') }),
    );
  });

  it('refuses local hosts, a missing ssh field, bad addresses, ports and users', () => {
    expect(() => resolveSshTarget({ name: 'x', kind: 'local', backends: [] })).toThrow(/not reached over SSH/);
    expect(() => resolveSshTarget({ name: 'x', kind: 'remote', backends: [] })).toThrow(/needs an "ssh" field/);
    expect(() => resolveSshTarget(config({}, { address: '-oProxyCommand=x' }))).toThrow(/ssh\.address/);
    expect(() => resolveSshTarget(config({}, { address: 'a b' }))).toThrow(/ssh\.address/);
    expect(() => resolveSshTarget(config({}, { port: 0 }))).toThrow(/ssh\.port/);
    expect(() => resolveSshTarget(config({}, { port: 1.5 }))).toThrow(/ssh\.port/);
    expect(() => resolveSshTarget(config({}, { user: '-l' }))).toThrow(/ssh\.user/);
    expect(() => resolveSshTarget(config({}, { knownHostsFile: '/a b/known' }))).toThrow(/white space/);
  });

  it('defaults the port to 22 and describes the target', () => {
    const target = resolveSshTarget(config({}, { port: undefined, user: undefined }));
    expect(target.port).toBe(22);
    expect(describeTarget(target)).toBe('bench1.example:22');
    expect(describeTarget(resolveSshTarget(config({}, { address: '::1' })))).toBe('root@[::1]:2222');
  });
});

describe('ssh argv', () => {
  const target = resolveSshTarget(config());
  const argv = sshCommandArgv(target, '/run/ctl/mux', "exec 'true'");

  it('pins the host key, uses the key only, multiplexes, and reads no config file', () => {
    expect(argv.slice(0, 3)).toEqual(['ssh', '-F', 'none']);
    expect(option(argv, 'StrictHostKeyChecking')).toBe('yes');
    expect(option(argv, 'UserKnownHostsFile')).toBe('/keys/known_hosts');
    expect(option(argv, 'GlobalKnownHostsFile')).toBe('/dev/null');
    expect(option(argv, 'BatchMode')).toBe('yes');
    expect(option(argv, 'IdentitiesOnly')).toBe('yes');
    expect(argv[argv.indexOf('-i') + 1]).toBe('/keys/id');
    expect(option(argv, 'ControlMaster')).toBe('auto');
    expect(option(argv, 'ControlPath')).toBe('/run/ctl/mux');
    expect(Number(option(argv, 'ControlPersist'))).toBeGreaterThan(0);
    expect(argv[argv.indexOf('-p') + 1]).toBe('2222');
    expect(argv[argv.indexOf('-l') + 1]).toBe('root');
    expect(argv.join(' ')).not.toMatch(/StrictHostKeyChecking=(no|accept-new)/);
  });

  it('ends options before the destination and passes the command as one word', () => {
    expect(argv.slice(-3)).toEqual(['--', 'bench1.example', "exec 'true'"]);
  });

  it('doubles % in paths, which ssh would expand', () => {
    const percent = resolveSshTarget(config({}, { knownHostsFile: '/keys/100%/known' }));
    expect(option(sshCommandArgv(percent, '/c', 'x'), 'UserKnownHostsFile')).toBe('/keys/100%%/known');
  });

  it('talks to the master with -O', () => {
    expect(sshControlArgv(target, '/run/ctl/mux', 'exit').slice(-4)).toEqual(['-O', 'exit', '--', 'bench1.example']);
  });

  it('runs one quoted argv on a connection of its own, with the same pinned key and no master', () => {
    const once = sshOnceArgv(target, ['cat', "/tmp/it's"], { connectTimeoutS: 7 });
    expect(once.slice(-3)).toEqual(['--', 'bench1.example', "'cat' '/tmp/it'\\''s'"]);
    expect(option(once, 'StrictHostKeyChecking')).toBe('yes');
    expect(option(once, 'UserKnownHostsFile')).toBe('/keys/known_hosts');
    expect(option(once, 'ConnectTimeout')).toBe('7');
    expect(once.join(' ')).not.toMatch(/Control(Master|Path|Persist)/);
    expect(option(sshOnceArgv(target, ['true']), 'ConnectTimeout')).toBe(option(argv, 'ConnectTimeout'));
  });
});

describe('remote command strings', () => {
  it('execs the program with every word quoted, in a directory if asked', () => {
    expect(plainCommand(['cat', '--', "/tmp/it's"])).toBe("exec 'cat' '--' '/tmp/it'\\''s'");
    expect(plainCommand(['ls'], '-odd dir')).toBe("cd './-odd dir' && exec 'ls'");
  });

  it('passes a detached program to the watchdog as positional parameters', () => {
    const command = watchdogCommand(['qemu-system-x86_64', '-name', 'a b'], '/tmp/d');
    expect(command.endsWith("hvbench-watchdog '/tmp/d' 'qemu-system-x86_64' '-name' 'a b'")).toBe(true);
  });

  it('refuses socket paths socat would parse', () => {
    expect(socatUnixArgv('/tmp/hvbench-x/qmp.sock')).toEqual(['socat', '-d', '-d', '-', 'UNIX-CONNECT:/tmp/hvbench-x/qmp.sock']);
    expect(() => socatUnixArgv('/tmp/a,fork')).toThrow(/cannot be passed to socat/);
    expect(() => socatUnixArgv('/tmp/a:b')).toThrow(/cannot be passed to socat/);
  });
});
