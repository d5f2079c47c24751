import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Host } from '../../src/hosts/host.ts';
import type { HostFacts } from '../../src/results/run-record.ts';
import { readRestoreRecords } from '../../src/tuning/restore-record.ts';
import { beginRunTuning, recordTuning, stabilizeLines } from '../../src/tuning/run-hosts.ts';
import { treeHost } from './tree-host.ts';

describe('the host state around a run', () => {
  it('stabilises, reads before and after (a change during the run shows), puts back and records it per host', async () => {
    const { host, root } = treeHost('bare-metal', 'bm');
    const state = mkdtempSync(join(tmpdir(), 'hvb-tuning-state-'));
    const lines: string[] = [];
    try {
      const t = await beginRunTuning([host], { stabilize: true, stateDir: state, log: (l) => lines.push(l) });
      expect(t.records.get('bm')?.before?.governor).toMatchObject({ value: 'performance' });
      expect(lines).toContain('stabilize bm: turbo / boost set: 0 → 1');
      // Someone switches THP during the run.
      writeFileSync(join(root, 'sys/kernel/mm/transparent_hugepage/enabled'), '[never]\n');
      await t.end();
      const r = t.records.get('bm')!;
      expect(r.after?.thp).toMatchObject({ value: 'never' });
      expect(r.stabilized).toMatchObject({ restored: true });
      expect(readFileSync(join(root, 'sys/devices/system/cpu/intel_pstate/no_turbo'), 'utf8')).toBe('0\n');
      expect(readRestoreRecords(state).records).toEqual([]);
      const hosts = [{ name: 'bm' } as HostFacts, { name: 'other' } as HostFacts];
      recordTuning(hosts, t.records);
      expect(hosts[0]!.tuning).toBe(r);
      expect(hosts[1]!.tuning).toBeUndefined();
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(state, { recursive: true, force: true });
    }
  });

  it('records why when a host does not answer the read, and the run goes on', async () => {
    const silent = { name: 'far', kind: 'remote', exec: async () => ({ exitCode: 255, stdout: '', stderr: 'ssh: connection lost' }) } as unknown as Host;
    const t = await beginRunTuning([silent]);
    await t.end();
    expect(t.records.get('far')).toEqual({ unreadable: expect.stringContaining('ssh: connection lost') });
  });

  it('says per setting what was set and what was left', () => {
    expect(
      stabilizeLines({
        changed: [
          { setting: 'governor', path: '/a', previous: 'powersave', applied: 'performance' },
          { setting: 'governor', path: '/b', previous: 'powersave', applied: 'performance' },
        ],
        notChanged: [{ setting: 'thp', why: 'already madvise' }],
      }),
    ).toEqual(['CPU frequency governor set: powersave → performance (2 files)', 'transparent huge pages not changed: already madvise']);
  });
});
