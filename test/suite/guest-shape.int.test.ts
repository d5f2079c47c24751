import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hvbench } from '../support/cli.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

// The guest's vCPUs as a matrix axis for real, under QEMU TCG and natively: sysbench cpu at 1
// and 2 vCPUs with its threads following them, one short repetition each.
let out: string;
beforeAll(async () => {
  await guestImage();
  out = await mkdtemp(join(tmpdir(), 'hvb-shape-'));
}, IMAGE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('a vCPU axis on a real run', () => {
  it('boots a 1- and a 2-vCPU guest, sysbench at as many threads, native at the same thread counts', { timeout: 6 * 60_000 }, async () => {
    const suite = join(out, 'shape.ts');
    await writeFile(
      suite,
      `import { defineSuite } from 'hvbench';\nexport default defineSuite({ name: 'shape', guest: { vcpus: [1, 2], memoryMiB: 256 }, backends: ['native', 'tcg'], repetitions: 1, warmup: 0, workloads: [{ workload: 'cpu', params: { threads: 'vcpus', timeSec: 1, maxPrime: 2000 } }] });\n`,
    );
    const r = await hvbench(['run', suite, '--out', join(out, 'runs')], { timeoutMs: 5 * 60_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [runId] = await readdir(join(out, 'runs'));
    const record = JSON.parse(await readFile(join(out, 'runs', runId!, 'run.json'), 'utf8')) as { cases: { id: string; status: string }[] };
    expect(record.cases.map((c) => [c.id, c.status]).sort()).toEqual(
      [
        ['native/cpu/guest.vcpus=1,maxPrime=2000,threads=1,timeSec=1', 'completed'],
        ['native/cpu/guest.vcpus=2,maxPrime=2000,threads=2,timeSec=1', 'completed'],
        ['tcg/cpu/guest.vcpus=1,maxPrime=2000,threads=1,timeSec=1', 'completed'],
        ['tcg/cpu/guest.vcpus=2,maxPrime=2000,threads=2,timeSec=1', 'completed'],
      ].sort(),
    );
    const samples = (await readFile(join(out, 'runs', runId!, 'samples.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { metric: string; dims: Record<string, unknown> });
    const cpu = samples.filter((s) => s.metric === 'cpu.events_per_s');
    expect(cpu.map((s) => [s.dims.backend, s.dims.vcpus, s.dims['param.threads']]).sort()).toEqual(
      [
        ['native', 1, 1],
        ['native', 2, 2],
        ['tcg', 1, 1],
        ['tcg', 2, 2],
      ].sort(),
    );
    // The guest itself saw as many CPUs as it was given (its manifest, read back from the guest).
    const manifests = (record as unknown as { cases: { id: string; manifest?: { fields: Record<string, string> } }[] }).cases
      .filter((c) => c.id.startsWith('tcg/'))
      .map((c) => [c.id.includes('guest.vcpus=2') ? 2 : 1, c.manifest?.fields['cpus']]);
    expect(manifests.sort()).toEqual([
      [1, '1'],
      [2, '2'],
    ]);
  });
});
