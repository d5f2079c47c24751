import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOT_A_DOM0, probeXen } from '../../../src/backends/xen/probe.ts';
import { xenBackend } from '../../../src/backends/xen/xen.ts';
import { LocalHost } from '../../../src/hosts/local.ts';
import { FakeDom0 } from '../fixtures/xen/fake-dom0.ts';

describe('probing for Xen', () => {
  it('says this machine is not a dom0 (it has no /proc/xen/capabilities)', async () => {
    // The verdict below is only right for a machine outside Xen; this one is (checked, not assumed).
    expect(existsSync('/proc/xen/capabilities')).toBe(false);
    expect(await xenBackend.probe(new LocalHost())).toEqual({
      backend: 'xen',
      available: false,
      reason: NOT_A_DOM0,
      facts: {},
      hint: expect.stringMatching(/hvbench lab xen up/),
    });
  });

  it('finds a dom0 and records version, dom0 kernel, scheduler and the guest types', async () => {
    const host = new FakeDom0({ capabilities: 'control_d\n' });
    expect(await probeXen(host)).toEqual({
      backend: 'xen',
      available: true,
      reason: 'Xen 4.17.7 dom0 (credit2 scheduler), guest types pv, pvh, hvm',
      facts: {
        xen: '4.17.7',
        dom0_kernel: '6.1.0-56-amd64',
        xen_scheduler: 'credit2',
        xen_virt_caps: 'pv hvm hap gnttab-v1 gnttab-v2',
        xen_guest_types: 'pv,pvh,hvm',
        xen_free_memory_mib: '2014',
        xen_total_memory_mib: '3071',
        xen_cpus: '2',
      },
    });
  });

  it('names leftover hvb- domains of another run without touching them', async () => {
    const host = new FakeDom0({ capabilities: 'control_d' });
    host.domains.set('hvb-cpu-r1-0a1b2c3d', {
      name: 'hvb-cpu-r1-0a1b2c3d',
      domid: 4,
      type: 'pvh',
      memMiB: 512,
      vcpus: 1,
      cpuS: 3,
      state: '---s--',
      config: '',
    });
    const found = await probeXen(host);
    expect(found.available).toBe(true);
    expect(found.facts['leftover_domains']).toBe('hvb-cpu-r1-0a1b2c3d');
    expect(found.reason).toMatch(/1 hvb- domain\(s\) of another run exist \(512 MiB\)/);
    expect(host.calls.some((c) => c[1] === 'destroy')).toBe(false);
  });

  it.each([
    ['a domU', { capabilities: '' }, /^a Xen guest, not the dom0/],
    [
      'a dom0 whose xl info fails',
      {
        capabilities: 'control_d',
        xlInfo: { exitCode: 1, stdout: '', stderr: 'xencall: error: Could not obtain handle on privileged command interface: No such file or directory\n' },
      },
      /xl info` failed: xencall: error: Could not obtain handle/,
    ],
    ['a dom0 without xl', { capabilities: 'control_d', xlInfo: { exitCode: 127, stdout: '', stderr: 'xl: not found' } }, /xl was not found/],
    ['a dom0 without xenconsoled', { capabilities: 'control_d', xenconsoled: false }, /xenconsoled does not/],
    ['a dom0 without /var/lock', { capabilities: 'control_d', varLock: false }, /\/var\/lock does not exist/],
  ])('is unavailable on %s, with the reason', async (_what, options, reason) => {
    const found = await probeXen(new FakeDom0(options));
    expect(found.available).toBe(false);
    expect(found.reason).toMatch(reason);
  });
});
