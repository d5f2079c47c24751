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
    expect(r.stdout).toMatch(/2 cases × 3 repetitions = 6 runs/);
  });

  it('exits 2 with the file and field path for a bad suite', async () => {
    const file = join(dir, 'bad.ts');
    await writeFile(file, "export default { name: 'bad', repetitons: 3, workloads: [{ workload: 'cpu', params: { threads: 'two' } }] };\n");
    const r = await hvbench(['list', file]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${file}: repetitons: unknown field`);
    expect(r.stderr).toMatch(/workloads\[0\]\.params\.threads: expected .*received "two"/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 2 for a missing suite file and for a backend the suite does not use', async () => {
    expect((await hvbench(['list', join(dir, 'nope.ts')])).exitCode).toBe(2);
    const r = await hvbench(['list', 'suites/quick.ts', '--backend', 'kvm']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--backend kvm: suites\/quick\.ts has no cases for this backend/);
  });

  it('doctor answers honestly per backend', async () => {
    const r = await hvbench(['doctor', '--json']);
    expect(r.exitCode).toBe(0);
    const answers = JSON.parse(r.stdout) as { backend: string; available: boolean; reason: string; facts: Record<string, string> }[];
    const by = Object.fromEntries(answers.map((a) => [a.backend, a]));
    expect(by.tcg?.available).toBe(true);
    expect(by.tcg?.facts.qemu).toMatch(/^\d+\.\d+/);
    expect(by.kvm).toMatchObject({ available: false, reason: expect.stringMatching(/not implemented yet/) });
    expect(by.xen).toMatchObject({ available: false, reason: expect.stringMatching(/not implemented yet/) });
  });
});
