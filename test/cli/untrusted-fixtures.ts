import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sample } from '../../src/results/sample.ts';
import { appendSamples } from '../../src/results/samples-file.ts';
import { createRun, finishRun } from '../../src/results/store.ts';

/**
 * Fixtures for the untrusted-input tests: a canary tree (files nothing may read, write or
 * delete) with a checksum of everything in it, and a real run written with the store.
 */

/** Every entry under `root` with its type, mode, size and content hash (or link target), sorted. */
export async function treeDigest(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const full = path.join(dir, name);
      const rel = path.relative(root, full);
      const info = await lstat(full);
      if (info.isSymbolicLink()) out.push(`${rel} -> ${await readlink(full)}`);
      else if (info.isDirectory()) {
        out.push(`${rel}/ ${info.mode.toString(8)}`);
        await walk(full);
      } else
        out.push(
          `${rel} ${info.mode.toString(8)} ${createHash('sha256')
            .update(await readFile(full))
            .digest('hex')}`,
        );
    }
  };
  await walk(root);
  return out;
}

/** A canary tree: a victim file, a secret, a folder that looks like a run with scratch disks. */
export async function makeCanary(root: string): Promise<void> {
  await mkdir(path.join(root, 'sub', 'scratch'), { recursive: true });
  await writeFile(path.join(root, 'victim.txt'), 'victim line 1\nvictim line 2\n');
  await writeFile(path.join(root, 'secret'), 'root:x:0:0:canary-secret\n');
  await writeFile(path.join(root, 'sub', 'scratch', 'disk-0.raw'), Buffer.alloc(4096, 7));
}

/** Samples of one run: 2 backends × `reps` repetitions of cpu.events_per_s, with every dim hvbench writes for them. */
export function runSamples(runId: string, reps = 5, scale = 1): Sample[] {
  const samples: Sample[] = [];
  for (let rep = 1; rep <= reps; rep++) {
    for (const backend of ['tcg', 'native']) {
      const dims = {
        suite: 'quick',
        run: runId,
        case: `${backend}/cpu/threads=1`,
        backend,
        accel: backend,
        workload: 'cpu',
        vcpus: 1,
        memory_mib: 512,
        rep,
        host: 'local',
        host_kind: 'local',
        image: 'img',
        'param.threads': 1,
      };
      const base = backend === 'native' ? 2000 : 1000;
      samples.push({
        metric: 'cpu.events_per_s',
        value: base * scale * (1 + 0.01 * ((rep * 7) % 5)),
        unit: 'events/s',
        better: 'higher',
        dims,
        ts: '2026-01-01T08:00:00.000Z',
      });
    }
  }
  return samples;
}

/** A completed run under `outDir`, written with the real store; returns its folder. */
export async function makeRun(outDir: string, day = 1, scale = 1): Promise<string> {
  const startedAt = `2026-01-${String(day).padStart(2, '0')}T08:00:00.000Z`;
  const run = await createRun(outDir, {
    startedAt,
    suite: { name: 'quick', file: 'suites/quick.ts', resolved: { name: 'quick' } },
    hvbench: { version: '0.1.0', revision: `rev-${day}` },
    hosts: [],
    backends: [],
    cases: [],
  });
  await appendSamples(run, runSamples(run.id, 5, scale));
  await finishRun(run, 'completed');
  return run.dir;
}

/** A copy of the run folder `dir` as `<parent>/<name>`, with run.json changed by `change`. */
export async function damagedCopy(dir: string, name: string, change: (record: Record<string, unknown>) => void = () => {}): Promise<string> {
  const copy = path.join(path.dirname(dir), name);
  await cp(dir, copy, { recursive: true });
  const file = path.join(copy, 'run.json');
  const record = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  change(record);
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  return copy;
}
