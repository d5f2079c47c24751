import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runDoctorTuning } from '../../src/cli/commands/doctor.ts';
import type { Host } from '../../src/hosts/host.ts';
import { LocalHost } from '../../src/hosts/local.ts';

/** A host whose files are a captured tree: the read script is given the tree as its root. */
function treeHost(name: string): Host {
  const local = new LocalHost();
  const root = fileURLToPath(new URL(`../fixtures/tuning/${name}`, import.meta.url));
  return Object.assign(Object.create(local) as Host, {
    name,
    exec: (argv: string[], o?: { timeoutMs?: number }) => local.exec([...argv.slice(0, -1), root], o),
  });
}

describe('doctor --tuning', () => {
  it('prints every setting and what is off for benchmarking with the fix', async () => {
    let text = '';
    const report = await runDoctorTuning(treeHost('bare-metal'), {}, { out: (t) => (text += t) });
    expect(text).toContain('host state of bare-metal:');
    expect(text).toContain('  CPU frequency governor: mixed: powersave on cpu0-4,cpu6-7, performance on cpu5');
    expect(text).toContain('off for benchmarking:');
    expect(text).toContain('    fix: systemctl stop irqbalance');
    expect(report.findings.map((f) => f.key)).toEqual(['governor', 'turbo', 'thp', 'irqbalance', 'swap']);
  });

  it('says on a virtual machine why the frequency settings are not there, and that nothing read is off', async () => {
    let text = '';
    await runDoctorTuning(treeHost('vm-host'), { json: true }, { out: (t) => (text += t) });
    const json = JSON.parse(text) as { profile: Record<string, unknown>; findings: unknown[] };
    expect(json.profile.governor).toEqual({ unavailable: expect.stringContaining('virtual machine') });
    expect(json.findings).toEqual([]);
  });
});
