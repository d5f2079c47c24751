import { describe, expect, it } from 'vitest';
import { parseLabConsole } from '../../src/labs/console.ts';

const N = '0123456789abcdef01234567';

describe('lab console frames', () => {
  it('reads the host key and the ready marker of this boot only', () => {
    const log = [
      '[    1.0] Linux version 6.1.0',
      `HVBLAB ffffffffffffffffffffffff hostkey ssh-ed25519 AAAAold`,
      `HVBLAB ${N} hostkey ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGSip1+/=\r`,
      `  HVBLAB ${N} ready spoofed-not-at-line-start`,
      `HVBLAB ${N} ready 6.1.0-56-amd64\r`,
    ].join('\n');
    expect(parseLabConsole(log, N)).toEqual({ hostKey: { type: 'ssh-ed25519', key: 'AAAAC3NzaC1lZDI1NTE5AAAAIGSip1+/=' }, ready: '6.1.0-56-amd64' });
  });

  it('reports the first error and nothing before the frames arrive', () => {
    expect(parseLabConsole('booting...\n', N)).toEqual({});
    expect(parseLabConsole(`HVBLAB ${N} error /dev/kvm did not appear\nHVBLAB ${N} error later\n`, N)).toEqual({ error: '/dev/kvm did not appear' });
    expect(parseLabConsole(`HVBLAB ${N} hostkey ssh-ed25519\n`, N)).toEqual({});
  });
});
