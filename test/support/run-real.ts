import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getBackend } from '../../src/backends/registry.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads } from '../../src/workloads/registry.ts';

/** Runs a suite on the real TCG backend into a temporary results folder, removed by `cleanup`. */
export async function runOnTcg(image: GuestImage, suiteInput: object) {
  const out = await mkdtemp(join(tmpdir(), 'hvb-int-'));
  const deps = { workloads, backends: ['tcg'] };
  const suite = resolveSuite(suiteInput, deps, 'test-suite');
  const result = await runSuite({
    suite,
    suiteFile: 'test-suite',
    cases: expandSuite(suite, deps),
    outDir: out,
    image,
    host: new LocalHost(),
    backends: getBackend,
    workloads,
  });
  const values = (metric: string, caseId?: string) =>
    result.samples.filter((s) => s.metric === metric && (caseId === undefined || s.dims.case === caseId)).map((s) => s.value);
  return { ...result, values, cleanup: () => rm(out, { recursive: true, force: true }) };
}
