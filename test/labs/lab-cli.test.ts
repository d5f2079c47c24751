import { describe, expect, it } from 'vitest';
import { formatLabStatus, formatSilentLab, formatUptime } from '../../src/cli/commands/lab.ts';
import type { LabState } from '../../src/labs/state.ts';

const state: LabState = {
  format: 1,
  lab: 'kvm',
  variant: 'kvm',
  pid: 1,
  pidStartTicks: 1,
  startedAt: '2026-01-01T00:00:00.000Z',
  port: 40022,
  identityFile: '/s/id',
  knownHostsFile: '/s/kh',
  consoleLog: '/s/console.log',
  imageId: '0123456789abcdef',
  imageHash: 'fedcba9876543210',
  kernelVersion: '6.1.0-9-amd64',
  nonce: 'ab'.repeat(12),
};

describe('hvbench lab status output', () => {
  it('says down, or up with port, uptime, image and whether SSH answers', () => {
    expect(formatLabStatus({ lab: 'xen', host: 'lab-xen', up: false })).toBe('lab-xen  down\n');
    expect(formatLabStatus({ lab: 'kvm', host: 'lab-kvm', up: true, state, uptimeSec: 192, sshAnswers: true })).toBe(
      'lab-kvm  up  port 40022  uptime 3m12s  image fedcba9876543210 (kvm, kernel 6.1.0-9-amd64)  ssh answers\n',
    );
    expect(formatLabStatus({ lab: 'kvm', host: 'lab-kvm', up: true, state, uptimeSec: 5, sshAnswers: false, sshProblem: 'timed out' })).toContain(
      'uptime 5s  image fedcba9876543210 (kvm, kernel 6.1.0-9-amd64)  ssh does not answer (timed out)',
    );
  });

  it("shows a lab that does not answer with its console's last lines and how to boot it again; nothing for one that answers", () => {
    const silent = { lab: 'kvm' as const, host: 'lab-kvm', up: true, state, uptimeSec: 5, sshAnswers: false, sshProblem: 'timed out' };
    expect(formatSilentLab(silent, '[  1.0] kvm: Nested Virtualization enabled\nHVBLAB n ready 6.1.0-9-amd64')).toBe(
      [
        `  its console (${state.consoleLog}), last lines:`,
        '    [  1.0] kvm: Nested Virtualization enabled',
        '    HVBLAB n ready 6.1.0-9-amd64',
        '  a nested lab hangs now and then (docs/labs.md): `hvbench lab kvm down` then `up` boots it again',
        '',
      ].join('\n'),
    );
    expect(formatSilentLab(silent, '')).toContain('    (nothing yet)\n');
    expect(formatSilentLab({ ...silent, sshAnswers: true }, 'x')).toBe('');
    expect(formatSilentLab({ lab: 'kvm', host: 'lab-kvm', up: false }, 'x')).toBe('');
  });

  it('formats uptimes', () => {
    expect([formatUptime(0), formatUptime(59), formatUptime(61), formatUptime(3600), formatUptime(7380)]).toEqual(['0s', '59s', '1m01s', '1h00m', '2h03m']);
  });
});
