import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getBackend } from '../../src/backends/registry.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { runSuite, type RunHost } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads } from '../../src/workloads/registry.ts';

/**
 * Runs a suite on the real TCG backend into a temporary results folder, removed by
 * `cleanup`; on the local host, or on `hosts` (e.g. a remote one through the test sshd).
 */
export async function runOnTcg(image: GuestImage, suiteInput: object, options: { hosts?: RunHost[] } = {}) {
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
    ...(options.hosts ? { hosts: options.hosts } : {}),
    backends: getBackend,
    workloads,
  });
  const values = (metric: string, caseId?: string) =>
    result.samples.filter((s) => s.metric === metric && (caseId === undefined || s.dims.case === caseId)).map((s) => s.value);
  return { ...result, values, cleanup: () => rm(out, { recursive: true, force: true }) };
}
