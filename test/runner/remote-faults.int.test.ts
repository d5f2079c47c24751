import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/common/backend.ts';
import { liveVms } from '../../src/backends/common/live-vms.ts';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import type { SshHost } from '../../src/hosts/ssh-host.ts';
import { openRun } from '../../src/results/store.ts';
import type { Sample } from '../../src/results/sample.ts';
import { readSamples } from '../../src/results/samples-file.ts';
import { runSuite, type RunHost } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads as shipped } from '../../src/workloads/registry.ts';
import type { Workload } from '../../src/workloads/workload.ts';
import { isRunning } from '../backends/fixtures/proc-scan.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';
import { startSshHost, type TestSshHost } from '../support/ssh-host.ts';
import { descendants, type TestSshd } from '../support/sshd.ts';

// A remote host that dies in the middle of a run: a private sshd on 127.0.0.1 is the
// remote host, and it is stopped (listener and every session) while its guest runs. Its
// cases fail with the cause, the local host's case completes, and no QEMU is left.

const hang: Workload = {
  name: 'hang',
  description: 'sleeps far beyond the case timeout (test only)',
  params: z.object({}).strict(),
  metrics: [],
  expectedSeconds: () => 1,
  command: () => ({ steps: [{ id: 'hang', argv: ['sleep', '3600'] }] }),
  parse: () => [],
};
const workloads = { ...shipped, hang };

let image: GuestImage;
let ssh: TestSshHost;
let sshd: TestSshd;
let sshdPid = 0;
let remote: SshHost;
let out: string;

beforeAll(async () => {
  image = await guestImage();
  ssh = await startSshHost('hvb-remote-faults-', { name: 'remote' });
  ({ sshd, sshdPid, host: remote, dir: out } = ssh);
}, IMAGE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await ssh?.stop();
});

describe('a remote host that dies mid-run', () => {
  it('fails its cases with the cause; the local host goes on; nothing is left', { timeout: 300_000 }, async () => {
    const remoteVms: number[] = [];
    const remoteDirs: string[] = [];
    const backend: Backend = {
      ...tcgBackend,
      async launch(vm, host) {
        const running = await tcgBackend.launch(vm, host);
        if (host === remote) {
          remoteVms.push(running.pid);
          remoteDirs.push((running as { tempDir?: string }).tempDir ?? '');
        }
        return running;
      },
    };
    const hosts: RunHost[] = [
      { config: sshd.config({ name: 'remote', backends: ['tcg'] }), host: remote },
      { config: { name: 'local', kind: 'local', backends: ['tcg'] }, host: new LocalHost() },
    ];
    // The scheduler gives `hang` and then `cpu` to the first host (remote), `boot` to local.
    const deps = { workloads, backends: ['tcg'] };
    const suite = resolveSuite(
      {
        name: 'remote-dies',
        repetitions: 1,
        timeoutSec: 240,
        workloads: [{ workload: 'hang' }, { workload: 'boot' }, { workload: 'cpu', params: { timeSec: 2 } }],
      },
      deps,
      'remote-faults',
    );
    const dying = (async () => {
      while (remoteVms.length === 0) await sleep(100);
      await sleep(5_000);
      await sshd.stop();
      return Date.now();
    })();
    const t0 = Date.now();
    const result = await runSuite({
      suite,
      suiteFile: 'remote-faults',
      cases: expandSuite(suite, deps),
      outDir: out,
      image,
      host: new LocalHost(),
      hosts,
      backends: () => backend,
      workloads,
    });
    const diedAt = await dying;
    const byWorkload = new Map(result.run.record.cases.map((c) => [c.workload, c]));
    expect(byWorkload.get('hang')).toMatchObject({ host: 'remote', status: 'failed' });
    expect(byWorkload.get('hang')?.error?.message).toMatch(/^repetition 1: .*(connection|ssh|remote)/i);
    expect(byWorkload.get('cpu')).toMatchObject({ host: 'remote', status: 'failed' });
    expect(byWorkload.get('cpu')?.error?.message).toMatch(/remote/);
    expect(byWorkload.get('boot')).toMatchObject({ host: 'local', status: 'completed', repetitionsDone: 1 });
    // The run did not wait for the case timeout of the dead host's guest.
    expect(Date.now() - diedAt).toBeLessThan(120_000);
    process.stderr.write(
      `remote host died ${((diedAt - t0) / 1000).toFixed(1)} s into the run; hang: ${byWorkload.get('hang')?.error?.message}\ncpu: ${byWorkload.get('cpu')?.error?.message}\n`,
    );
    // The file holds what the run measured; hosts run side by side, so its order is the order
    // in which their repetitions ended, not the run's per-host order.
    const order = (list: readonly Sample[]) =>
      [...list].sort((a, b) => JSON.stringify([a.dims.case, a.dims.rep, a.metric]).localeCompare(JSON.stringify([b.dims.case, b.dims.rep, b.metric])));
    expect(order((await readSamples(await openRun(result.run.dir))).samples)).toEqual(order(result.samples));
    expect(liveVms.size).toBe(0);
    for (const pid of remoteVms) expect(isRunning(pid), `remote QEMU ${pid}`).toBe(false);
    expect(descendants(sshdPid)).toEqual([]);
    // The VM folder of the guest that ran when the host died stays on that host: nobody
    // could reach it to remove it. The "remote" host is this machine, so the test does.
    expect(remoteDirs).toHaveLength(1);
    expect(remoteDirs[0]).toMatch(/hvbench-hang-r1-/);
    expect(existsSync(remoteDirs[0]!)).toBe(true);
    await rm(remoteDirs[0]!, { recursive: true, force: true });
  });
});
