import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LocalHost } from '../../src/hosts/local.ts';
import { profileChanges, profileLines, tuningFindings } from '../../src/tuning/checks.ts';
import { bracketedChoice, cpuList, meminfoKiB } from '../../src/tuning/profile.ts';
import { readProfile } from '../../src/tuning/read.ts';
import { parseReadOutput } from '../../src/tuning/read-script.ts';

const tree = (name: string) => fileURLToPath(new URL(`../fixtures/tuning/${name}`, import.meta.url));
const host = new LocalHost();

describe('the host profile of a bare-metal tree (written by hand)', () => {
  it('reads every setting through the read script', async () => {
    const p = await readProfile(host, tree('bare-metal'));
    expect(p.governor).toEqual({ value: 'mixed: powersave on cpu0-4,cpu6-7, performance on cpu5', detail: 'driver intel_pstate, the CPUs disagree' });
    expect(p.turbo).toEqual({ value: 'on', detail: 'intel_pstate/no_turbo = 0' });
    expect(p.smt).toEqual({ value: 'on', detail: 'control; active yes' });
    expect(p.thp).toEqual({ value: 'always', detail: '[always] madvise never' });
    expect(p.thpDefrag).toMatchObject({ value: 'madvise' });
    expect(p.cpuidle).toEqual({ value: 'intel_idle', detail: 'governor menu' });
    expect(p.maxCstate).toEqual({ value: '9', detail: 'intel_idle is the cpuidle driver' });
    expect(p.irqbalance).toEqual({ value: 'running', detail: 'pid 812' });
    expect(p.swap).toEqual({ value: 'in use', detail: '100 MiB used of 2048 MiB' });
    expect(p.swappiness).toEqual({ value: '60' });
    expect(p.numa).toEqual({ value: '2 nodes', detail: 'node0: CPUs 0-3; node1: CPUs 4-7' });
  });

  it('finds what is off for benchmarking, each with a fix', async () => {
    const findings = tuningFindings(await readProfile(host, tree('bare-metal')));
    expect(findings.map((f) => f.key)).toEqual(['governor', 'turbo', 'thp', 'irqbalance', 'swap']);
    expect(findings.find((f) => f.key === 'turbo')?.fix).toContain('intel_pstate/no_turbo');
    for (const f of findings) expect(f.fix).not.toBe('');
  });
});

describe('the host profile of a virtual machine (captured)', () => {
  it('says why frequency settings cannot be read, never a value', async () => {
    const p = await readProfile(host, tree('vm-host'));
    expect(p.governor).toEqual({ unavailable: expect.stringContaining('virtual machine') });
    expect(p.turbo).toEqual({ unavailable: expect.stringContaining('no cpufreq') });
    expect(p.smt).toMatchObject({ value: 'notsupported' });
    expect(p.thp).toMatchObject({ value: 'madvise' });
    expect(p.cpuidle).toMatchObject({ value: 'haltpoll' });
    expect(p.maxCstate).toMatchObject({ value: '9', detail: expect.stringContaining('not in use') });
    expect(p.irqbalance).toEqual({ value: 'not running' });
    expect(p.swap).toEqual({ value: 'none', detail: 'no swap configured' });
    expect(p.numa).toMatchObject({ value: '1 node' });
    expect(tuningFindings(p)).toEqual([]);
    expect(profileLines(p)[0]).toMatch(/^CPU frequency governor: not available here: no cpufreq/);
  });
});

describe('profile parts', () => {
  it('parses the script output, leaving missing files out', () => {
    const t = parseReadOutput('@@ /a\nx\ny\n\n@@! /b\n@@ /c\n\n');
    expect([...t]).toEqual([
      ['/a', 'x\ny'],
      ['/c', ''],
    ]);
  });

  it('reads choices, meminfo lines and CPU lists', () => {
    expect(bracketedChoice('always [madvise] never')).toBe('madvise');
    expect(bracketedChoice('madvise')).toBeUndefined();
    expect(meminfoKiB('SwapTotal:  2048 kB\nSwapFree: 10 kB', 'SwapFree')).toBe(10);
    expect(cpuList([3, 0, 1, 2, 7])).toBe('cpu0-3,cpu7');
  });

  it('names what changed between two readings', async () => {
    const before = await readProfile(host, tree('bare-metal'));
    const after = { ...before, thp: { value: 'madvise' }, turbo: { unavailable: 'gone' } };
    expect(profileChanges(before, after)).toEqual(['turbo / boost: on → not available', 'transparent huge pages: always → madvise']);
    expect(profileChanges(before, before)).toEqual([]);
  });
});
