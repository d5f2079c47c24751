import { describe, expect, it } from 'vitest';
import { sshLostLine, sshMessage } from '../../src/hosts/ssh-errors.ts';

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
});
