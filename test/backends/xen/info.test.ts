import { describe, expect, it } from 'vitest';
import { xenExit } from '../../../src/backends/xen/exit.ts';
import { parseXlInfo, parseXlList, parseXlMonitorLine, xenInfo } from '../../../src/backends/xen/info.ts';
import { domainTypeFromJson, xenDomainName } from '../../../src/backends/xen/vm.ts';
import { XL_INFO } from '../fixtures/xen/fake-dom0.ts';

describe('xl info', () => {
  it('reads version, dom0 kernel, scheduler, memory and the guest types virt_caps allow', () => {
    expect(xenInfo(XL_INFO)).toEqual({
      version: '4.17.7',
      dom0Kernel: '6.1.0-56-amd64',
      scheduler: 'credit2',
      virtCaps: ['pv', 'hvm', 'hap', 'gnttab-v1', 'gnttab-v2'],
      guestTypes: ['pv', 'pvh', 'hvm'],
      freeMemoryMiB: 2014,
      totalMemoryMiB: 3071,
      nrCpus: 2,
    });
    // A value may contain " : " and an empty one stays empty.
    const raw = parseXlInfo(XL_INFO);
    expect(raw['xen_changeset']).toBe('');
    expect(raw['xen_commandline']).toBe('console=com1 com1=115200,8n1 dom0_mem=1G,max:1G loglvl=all guest_loglvl=all noreboot');
  });

  it('derives the guest types: PV needs pv, PVH and HVM need hvm (with hap or shadow paging)', () => {
    const types = (caps: string) => xenInfo(`xen_version : 4.17.5\nvirt_caps : ${caps}\n`)?.guestTypes;
    expect(types('pv')).toEqual(['pv']);
    expect(types('hvm hap')).toEqual(['pvh', 'hvm']);
    expect(types('pv hvm shadow')).toEqual(['pv', 'pvh', 'hvm']);
    expect(types('')).toEqual([]);
    expect(xenInfo('xen_major : 4\nxen_minor : 17\nxen_extra : .5\n')?.version).toBe('4.17.5');
    expect(xenInfo('xl: command not found\n')).toBeUndefined();
  });
});

describe('xl list', () => {
  it('reads rows, skipping the header and anything malformed', () => {
    const text = [
      'Name                                        ID   Mem VCPUs\tState\tTime(s)',
      'Domain-0                                     0  1024     2     r-----      42.7',
      'hvb-cpu-r1-0a1b2c3d                          7   512     1     ---s--       9.3',
      'garbage line',
    ].join('\n');
    expect(parseXlList(text)).toEqual([
      { name: 'Domain-0', domid: 0, memMiB: 1024, vcpus: 2, state: 'r-----', cpuS: 42.7 },
      { name: 'hvb-cpu-r1-0a1b2c3d', domid: 7, memMiB: 512, vcpus: 1, state: '---s--', cpuS: 9.3 },
    ]);
  });

  it('reads the domain type from xl list -l, and nothing from text that is not its JSON', () => {
    expect(domainTypeFromJson('[{"domid": 3, "config": {"c_info": {"type": "pvh", "name": "hvb-x"}}}]')).toBe('pvh');
    expect(domainTypeFromJson('{"config": {"c_info": {"type": "pv"}}}')).toBe('pv');
    expect(domainTypeFromJson('(domain (domid 3))')).toBeUndefined();
    expect(domainTypeFromJson('[]')).toBeUndefined();
  });
});

describe("xl's domain monitor (xl create -F) and how a guest stopped", () => {
  it('recognises the running, shutdown and destroyed lines and a console that did not attach', () => {
    expect(parseXlMonitorLine('Waiting for domain hvb-cpu-r1-0a1b2c3d (domid 7) to die [pid 812]')).toEqual({
      kind: 'running',
      domain: 'hvb-cpu-r1-0a1b2c3d',
      domid: 7,
    });
    expect(parseXlMonitorLine('Domain 7 has shut down, reason code 3 0x3')).toEqual({ kind: 'shutdown', domid: 7, code: 3, reason: 'crash' });
    expect(parseXlMonitorLine('Domain 7 has been destroyed.')).toEqual({ kind: 'destroyed', domid: 7 });
    expect(parseXlMonitorLine('xenconsole: Could not open /var/lock/xenconsole.7: No such file or directory')).toEqual({
      kind: 'console-failed',
      message: 'xenconsole: Could not open /var/lock/xenconsole.7: No such file or directory',
    });
    expect(parseXlMonitorLine('Parsing config from /tmp/x.cfg')).toBeUndefined();
    expect(parseXlMonitorLine('Action for shutdown reason code 0 is preserve')).toBeUndefined();
  });

  it("classifies the shutdown reason codes as VmExits with Xen's own word as the cause", () => {
    expect(xenExit(0)).toEqual({ kind: 'shutdown', reason: 'guest powered off', cause: 'poweroff' });
    expect(xenExit(1)).toEqual({ kind: 'shutdown', reason: expect.stringMatching(/^guest rebooted/), cause: 'reboot' });
    expect(xenExit(3)).toEqual({ kind: 'shutdown', reason: 'guest crashed (kernel panic)', cause: 'crash' });
    expect(xenExit(4)).toMatchObject({ cause: 'watchdog' });
    expect(xenExit(5)).toEqual({ kind: 'shutdown', reason: 'guest stopped with Xen shutdown reason soft_reset', cause: 'soft_reset' });
    expect(xenExit(9)).toMatchObject({ cause: 'reason-9' });
  });
});

describe('domain names', () => {
  it('are hvb-, the VM name made safe, and a random suffix', () => {
    expect(xenDomainName('cpu-r1', '0a1b2c3d')).toBe('hvb-cpu-r1-0a1b2c3d');
    expect(xenDomainName('Disk W2 / odd..name', 'ffffffff')).toBe('hvb-disk-w2-odd-name-ffffffff');
    expect(xenDomainName('---', '00000000')).toBe('hvb-vm-00000000');
    expect(xenDomainName('x'.repeat(100), '12345678')).toHaveLength(4 + 32 + 9);
    expect(xenDomainName('a')).toMatch(/^hvb-a-[0-9a-f]{8}$/);
    expect(xenDomainName('a')).not.toBe(xenDomainName('a'));
  });
});
