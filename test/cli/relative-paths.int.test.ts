import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

const BIN = fileURLToPath(new URL('../../bin/hvbench.js', import.meta.url));

let cwd: string;
beforeAll(async () => {
  await guestImage();
  cwd = await mkdtemp(join(tmpdir(), 'hvb-relative-'));
}, IMAGE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('relative paths typed by the user', () => {
  // QEMU and the native chroot run in other working directories: a relative --out once
  // reached QEMU as `results/<run>/scratch/case-1.raw` and the disk case failed.
  it('runs disk cases on tcg and native with a relative suite path and a relative --out', { timeout: 400_000 }, async () => {
    await writeFile(
      join(cwd, 'tiny.ts'),
      "export default { name: 'tiny', backends: ['tcg', 'native'], repetitions: 1, workloads: [{ workload: 'disk', params: { sizeMiB: 16, runtimeSec: 1 } }] };\n",
    );
    const r = await execa('node', [BIN, 'run', 'tiny.ts', '--out', 'results'], { cwd, reject: false, env: { CI: '1' }, timeout: 380_000 });
    expect(r.stderr + r.stdout).not.toMatch(/No such file|must be an absolute path/);
    expect(r.exitCode, r.stderr).toBe(0);
    const [runId] = await readdir(join(cwd, 'results'));
    const dir = join(cwd, 'results', runId!);
    const record = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as { status: string; cases: { id: string; status: string }[] };
    expect(record.status).toBe('completed');
    expect(record.cases.map((c) => [c.id, c.status])).toEqual([
      ['tcg/disk/runtimeSec=1,sizeMiB=16', 'completed'],
      ['native/disk/runtimeSec=1,sizeMiB=16', 'completed'],
    ]);
    const samples = (await readFile(join(dir, 'samples.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { metric: string; dims: Record<string, unknown> });
    for (const backend of ['tcg', 'native']) {
      expect(
        samples.some((s) => s.metric === 'disk.seq_read_mib_s' && s.dims.backend === backend),
        backend,
      ).toBe(true);
    }
    // The scratch disks went away with their cases.
    expect(await readdir(join(dir, 'scratch')).catch(() => [])).toEqual([]);
  });
});
