import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hvbench } from '../support/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hvb-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the hvbench command', () => {
  it('lists the cases of the quick suite', async () => {
    const r = await hvbench(['list', 'suites/quick.ts']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^tcg\/boot$/m);
    expect(r.stdout).toMatch(/^tcg\/cpu\/.*threads=1/m);
    expect(r.stdout).toMatch(/^tcg\/disk\/io=paravirtual,/m);
    // The shipped suites name every backend; a host runs what its probes allow (`run` skips the rest).
    for (const b of ['native', 'kvm', 'xen:pvh', 'tcg']) expect(r.stdout).toMatch(new RegExp(`^${b}/boot$`, 'm'));
    expect(r.stdout).toMatch(/24 cases × 3 repetitions = 72 runs/);
  });

  it('exits 2 with the file and field path for a bad suite', async () => {
    const misspelt = join(dir, 'misspelt.ts');
    await writeFile(misspelt, "export default { name: 'bad', repetitons: 3, workloads: [{ workload: 'cpu' }] };\n");
    const r1 = await hvbench(['list', misspelt]);
    expect(r1.exitCode).toBe(2);
    expect(r1.stderr).toContain(`${misspelt}: repetitons: unknown field`);

    const badParam = join(dir, 'bad-param.ts');
    await writeFile(badParam, "export default { name: 'bad', workloads: [{ workload: 'cpu', params: { threads: 'two' } }] };\n");
    const r2 = await hvbench(['list', badParam]);
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toMatch(/bad-param\.ts: workloads\[0\]\.params\.threads: expected .*received "two"/);
    for (const r of [r1, r2]) expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 2 for a missing suite file, an unknown backend and a workload the suite does not use', async () => {
    expect((await hvbench(['list', join(dir, 'nope.ts')])).exitCode).toBe(2);
    const r = await hvbench(['list', 'suites/quick.ts', '--backend', 'kvmm']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--backend kvmm: unknown backend; known backends: tcg, kvm, xen, native/);
    const w = await hvbench(['list', 'suites/quick.ts', '--workload', 'nope']);
    expect(w.exitCode).toBe(2);
    expect(w.stderr).toMatch(/--workload nope: suites\/quick\.ts has no cases for this workload/);
  });

  it('refuses an unknown event source before anything runs, and says how to count without naming one', async () => {
    const r = await hvbench(['run', '--count-events', 'suites/quick.ts', '--out', dir]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--count-events: "suites/quick.ts" is not an event source; expected one of kvm-debugfs, perf-kvm-stat');
    expect(r.stderr).toContain('put --count-events after the suite file');
  });

  it('--backend runs the suite on other backends, --workload picks workloads', async () => {
    const r = await hvbench(['list', 'suites/quick.ts', '--backend', 'kvm,xen', '--xen-type', 'pv,pvh', '--workload', 'cpu']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kvm\/cpu/);
    expect(r.stdout).toMatch(/xen:pv\/cpu/);
    expect(r.stdout).toMatch(/xen:pvh\/cpu/);
    expect(r.stdout).not.toMatch(/tcg\/|\/boot/);
  });

  it('doctor answers honestly per backend', { timeout: 240_000 }, async () => {
    // The KVM canary boot takes up to a minute the first time (its verdict is cached after).
    const r = await hvbench(['doctor', '--json'], { timeoutMs: 230_000 });
    expect(r.exitCode).toBe(0);
    const { backends: answers, leftovers } = JSON.parse(r.stdout) as {
      backends: { backend: string; available: boolean; reason: string; facts: Record<string, string> }[];
      leftovers: unknown[];
    };
    expect(Array.isArray(leftovers)).toBe(true);
    const by = Object.fromEntries(answers.map((a) => [a.backend, a]));
    expect(by.tcg?.available).toBe(true);
    expect(by.tcg?.facts.qemu).toMatch(/^\d+\.\d+/);
    // This machine's /dev/kvm is a nested KVM on which stock Linux guests never boot, and it is not a dom0.
    expect(by.kvm).toMatchObject({ available: false, reason: expect.stringMatching(/KVM present but cannot boot Linux guests|no canary guest could boot/) });
    expect(by.xen).toMatchObject({ available: false, reason: expect.stringMatching(/not a Xen dom0/) });
  });
});
