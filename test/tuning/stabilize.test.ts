import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readProfileTree } from '../../src/tuning/read-script.ts';
import { orphanedRestoreRecords, readRestoreRecords, writeRestoreRecord } from '../../src/tuning/restore-record.ts';
import { planStabilize, stabilize } from '../../src/tuning/stabilize.ts';
import { restoreOrphan } from '../../src/tuning/restore-orphan.ts';
import { treeHost } from './tree-host.ts';

const dirs: string[] = [];
const stateDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'hvb-tuning-state-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('run --stabilize', () => {
  it('plans performance on every CPU that lacks it, turbo off and THP madvise on a bare-metal host', async () => {
    const { host, root } = treeHost('bare-metal');
    dirs.push(root);
    const plan = planStabilize(await readProfileTree(host));
    expect(plan.writes.map((w) => [w.setting, w.path.replace('/sys/devices/system/cpu/', ''), w.previous, w.applied])).toEqual([
      ...[0, 1, 2, 3, 4, 6, 7].map((c) => ['governor', `cpu${c}/cpufreq/scaling_governor`, 'powersave', 'performance']),
      ['turbo', 'intel_pstate/no_turbo', '0', '1'],
      ['thp', '/sys/kernel/mm/transparent_hugepage/enabled', 'always', 'madvise'],
    ]);
    expect(plan.notChanged).toEqual([]);
  });

  it('changes nothing on a virtual machine but THP, and says why for each', async () => {
    const { host, root } = treeHost('vm-host');
    dirs.push(root);
    const plan = planStabilize(await readProfileTree(host));
    expect(plan.writes).toEqual([]);
    expect(plan.notChanged).toEqual([
      { setting: 'governor', why: expect.stringContaining('not available here: no cpufreq: this host is a virtual machine') },
      { setting: 'turbo', why: expect.stringContaining('not available here') },
      { setting: 'thp', why: 'already madvise' },
    ]);
  });

  it('writes a restore record before changing anything, and puts every value back', async () => {
    const { host, root } = treeHost('bare-metal', 'bm');
    dirs.push(root);
    const state = stateDir();
    const result = await stabilize(host, { stateDir: state });
    expect(result.changed).toHaveLength(9);
    expect(readFileSync(join(root, 'sys/devices/system/cpu/cpu0/cpufreq/scaling_governor'), 'utf8')).toBe('performance\n');
    expect(readFileSync(join(root, 'sys/devices/system/cpu/intel_pstate/no_turbo'), 'utf8')).toBe('1\n');
    const [record] = readRestoreRecords(state).records;
    expect(record).toMatchObject({ host: 'bm', owner: { pid: process.pid }, changes: result.changed });
    expect(orphanedRestoreRecords(state)).toEqual([]);
    expect(await result.restore()).toEqual([]);
    expect(readFileSync(join(root, 'sys/devices/system/cpu/cpu0/cpufreq/scaling_governor'), 'utf8')).toBe('powersave\n');
    expect(readFileSync(join(root, 'sys/devices/system/cpu/cpu5/cpufreq/scaling_governor'), 'utf8')).toBe('performance\n');
    expect(readFileSync(join(root, 'sys/kernel/mm/transparent_hugepage/enabled'), 'utf8')).toBe('always\n');
    expect(readRestoreRecords(state).records).toEqual([]);
  });

  it('reports a write the host refuses, and keeps no record when nothing changed', async () => {
    const { host, root } = treeHost('bare-metal');
    dirs.push(root);
    rmSync(join(root, 'sys/kernel/mm/transparent_hugepage'), { recursive: true });
    const tree = new Map(await readProfileTree(host));
    tree.set('/sys/kernel/mm/transparent_hugepage/enabled', '[always] madvise never');
    for (const k of [...tree.keys()]) if (k.includes('/cpufreq/') || k.includes('intel_pstate')) tree.delete(k);
    const state = stateDir();
    const result = await stabilize(host, { stateDir: state, tree });
    expect(result.changed).toEqual([]);
    expect(result.notChanged.find((n) => n.setting === 'thp')?.why).toMatch(/^writing \/sys\/kernel\/mm\/transparent_hugepage\/enabled refused: /);
    expect(existsSync(state) ? readRestoreRecords(state).records : []).toEqual([]);
  });

  it('restores what a killed run changed once its owner is gone, and leaves a remote host’s record with the commands', async () => {
    const { host, root } = treeHost('bare-metal', 'local');
    dirs.push(root);
    const state = stateDir();
    const path = '/sys/kernel/mm/transparent_hugepage/enabled';
    const gone = { pid: 999_999_999, start: 1 };
    const record = {
      owner: gone,
      host: 'local',
      hostKind: 'local' as const,
      at: '2026-01-01T00:00:00Z',
      changes: [{ setting: 'thp', path, previous: 'never', applied: 'madvise' }],
    };
    await writeRestoreRecord(state, record);
    await writeRestoreRecord(state, { ...record, host: 'far', hostKind: 'remote' });
    const orphans = orphanedRestoreRecords(state);
    expect(orphans.map((r) => r.host).sort()).toEqual(['far', 'local']);
    const local = orphans.find((r) => r.host === 'local')!;
    expect(await restoreOrphan(local, state, host)).toEqual({ removed: `restored on local: ${path} = never` });
    expect(readFileSync(join(root, path), 'utf8')).toBe('never\n');
    const far = orphans.find((r) => r.host === 'far')!;
    expect((await restoreOrphan(far, state, host)).problem).toContain(`echo never > ${path}`);
    expect(readRestoreRecords(state).records.map((r) => r.host)).toEqual(['far']);
  });
});
