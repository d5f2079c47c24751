import { describe, expect, it } from 'vitest';
import { sshConnectError, sshLostLine, sshMessage } from '../../src/hosts/ssh-errors.ts';

describe('ssh failures', () => {
  it("says a remote VMM's ssh was lost only for ssh's own status 255 on a remote host", () => {
    expect(sshLostLine({ name: 'lab-xen', kind: 'lab' }, 255)).toBe(
      'hvbench: the ssh connection to host "lab-xen" was lost (ssh exited with status 255): the host went down or the network failed\n',
    );
    expect(sshLostLine({ name: 'box', kind: 'remote' }, 3)).toBeUndefined();
    expect(sshLostLine({ name: 'box', kind: 'remote' }, null)).toBeUndefined();
    expect(sshLostLine({ name: 'here', kind: 'local' }, 255)).toBeUndefined();
  });

  it("keeps ssh's own words on one line", () => {
    expect(sshMessage('\r\nConnection timed out during banner exchange\r\nConnection to 127.0.0.1 port 39339 timed out\n')).toBe(
      'Connection timed out during banner exchange; Connection to 127.0.0.1 port 39339 timed out',
    );
  });

  it('tells how to see and reboot a lab that stopped answering, and an ordinary host what to check', () => {
    const target = { address: '127.0.0.1', port: 34677, user: 'root', identityFile: undefined, knownHostsFile: 'known_hosts' };
    const banner = 'Connection timed out during banner exchange\n';
    const lab = sshConnectError({ ...target, hostName: 'lab-kvm', kind: 'lab' }, banner);
    expect([lab.code, lab.message]).toEqual([
      'host-unreachable',
      'host "lab-kvm" (root@127.0.0.1:34677) is unreachable over ssh: Connection timed out during banner exchange',
    ]);
    expect(lab.hint).toMatch(/`hvbench lab kvm status`.*console's last lines.*`hvbench lab kvm down` then `up`/);
    const remote = sshConnectError({ ...target, hostName: 'box', kind: 'remote' }, banner);
    expect(remote.hint).toMatch(/^check that the host is up/);
  });
});
