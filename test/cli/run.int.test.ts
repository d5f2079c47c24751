import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';
import { hvbench } from '../support/cli.ts';

let dir: string;
beforeAll(async () => {
  await guestImage();
  dir = await mkdtemp(join(tmpdir(), 'hvb-cli-run-'));
}, IMAGE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hvbench run, end to end on local TCG', () => {
  it('runs a suite, prints the table, and exports the samples as CSV', { timeout: 300_000 }, async () => {
    const suite = join(dir, 'tiny.ts');
    await writeFile(suite, "export default { name: 'tiny', repetitions: 1, workloads: [{ workload: 'cpu', params: { timeSec: 1 } }] };\n");
    const out = join(dir, 'results');
    const r = await hvbench(['run', suite, '--out', out], { timeoutMs: 280_000 });
    expect(r.stderr).toMatch(/\[1\/1\] tcg\/cpu\/timeSec=1 rep 1: completed/);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/cpu\.events_per_s\s+events\/s ↑\s+1\s/);
    const [runId] = await readdir(out);
    expect(runId).toMatch(/^\d{8}-\d{6}-tiny-[0-9a-f]{4}$/);

    const csv = await hvbench(['export', 'csv', join(out, runId!)]);
    expect(csv.exitCode).toBe(0);
    const [header, ...rows] = csv.stdout.trim().split('\n');
    expect(header).toMatch(/^ts,metric,value,unit,better,/);
    expect(header).toContain('accel');
    expect(rows.some((row) => row.includes('cpu.events_per_s'))).toBe(true);
  });
});
