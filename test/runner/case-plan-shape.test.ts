import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VmSpec } from '../../src/backends/common/backend.ts';
import { roleOf } from '../../src/dims/catalogue.ts';
import { decodeJob } from '../../src/guest/protocol/job.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { isHvbError } from '../../src/util/errors.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { fakeBackend, fakeImage, stepTranscript } from './fake-backend.ts';

// Guests as large as the host, and larger: refused before anything is measured unless the
// suite allows overcommit, which the samples then carry. The local host's own size decides.
const hostCpus = cpus().length;
const sysbench = '    events per second:  100\n         avg:    1.00\n         95th percentile:   2.00\n';
let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'hvb-shape-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

function go(suiteInput: object, seen: VmSpec[]) {
  const fake = fakeBackend((say, nonce, spec) => {
    seen.push(spec);
    stepTranscript(say, nonce, 'cpu', sysbench);
  });
  const deps = { workloads, backends: ['fake'] };
  const suite = resolveSuite(suiteInput, deps, 'suites/big.ts');
  return runSuite({
    suite,
    suiteFile: 'suites/big.ts',
    cases: expandSuite(suite, deps),
    outDir: out,
    image: fakeImage(['sysbench']),
    host: new LocalHost(),
    backends: () => fake,
    workloads,
  });
}

const suite = (extra: object = {}) => ({
  name: 'big',
  backends: ['fake'],
  repetitions: 1,
  guest: { vcpus: [1, hostCpus + 1] },
  workloads: [{ workload: 'cpu', params: { threads: 'vcpus', timeSec: 1 } }],
  ...extra,
});

describe('a guest larger than its host', () => {
  it('is refused before the run starts, naming the field, the value and the host', async () => {
    const seen: VmSpec[] = [];
    const error = await go(suite(), seen).catch((e: unknown) => e);
    expect(isHvbError(error) && error.code).toBe('suite-invalid');
    expect((error as Error).message).toBe(
      `suites/big.ts: guest.vcpus[1]: ${hostCpus + 1} vCPUs are more than the ${hostCpus} CPUs of host local; use fewer, or set overcommit: true to run them anyway`,
    );
    expect(seen).toEqual([]);
    expect(await readdir(out)).toEqual([]);
  });

  it('runs with overcommit: true, each case with its own shape and thread count, the larger one marked in its samples', async () => {
    const seen: VmSpec[] = [];
    const { run, samples } = await go(suite({ overcommit: true }), seen);
    expect(seen.map((s) => s.vcpus)).toEqual([1, hostCpus + 1]);
    expect(seen.map((s) => decodeJob(s.cmdline).command.steps[0]!.argv.find((a) => a.startsWith('--threads=')))).toEqual([
      '--threads=1',
      `--threads=${hostCpus + 1}`,
    ]);
    const events = samples.filter((s) => s.metric === 'cpu.events_per_s');
    expect(events.map((s) => [s.dims.vcpus, s.dims['param.threads'], s.dims.overcommit])).toEqual([
      [1, 1, undefined],
      [hostCpus + 1, hostCpus + 1, 'vcpus'],
    ]);
    // A fact shown with the series, never splitting one.
    expect(roleOf('overcommit')).toBe('follows');
    // The suite's choice is recorded with the run.
    expect((run.record.suite.resolved as { overcommit?: boolean }).overcommit).toBe(true);
    expect(existsSync(join(run.dir, 'run.json'))).toBe(true);
  });
});
