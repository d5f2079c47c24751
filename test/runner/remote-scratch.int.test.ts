import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmSpec } from '../../src/backends/common/backend.ts';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import type { SshHost } from '../../src/hosts/ssh-host.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';
import { startSshHost, type TestSshHost } from '../support/ssh-host.ts';

// A disk case on a "remote" host (a private sshd on 127.0.0.1, so its folders are this
// machine's) whose scratchDir refuses O_DIRECT: skipped at planning with the reason, never
// failed at QEMU's start; with scratchDir on a disk it runs under TCG. The folder without
// O_DIRECT is a ramfs mounted here: tmpfs takes O_DIRECT since Linux 6.6, ramfs never does.

let image: GuestImage;
let ssh: TestSshHost | undefined;
let remote: SshHost;
let work: string;
let ramfs = '';
let noMount = '';

beforeAll(async () => {
  image = await guestImage();
  ssh = await startSshHost('hvb-remote-scratch-', { name: 'far' });
  ({ host: remote, dir: work } = ssh);
  const mountPoint = join(work, 'ram');
  await mkdir(mountPoint);
  const mounted = await execa('mount', ['-t', 'ramfs', '-o', 'mode=0700', 'hvb-ramfs', mountPoint], { reject: false });
  if (mounted.exitCode === 0) ramfs = mountPoint;
  else noMount = `cannot mount a ramfs (needs root): ${String(mounted.stderr).trim() || `exit code ${mounted.exitCode}`}`;
}, IMAGE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  // Unmounted before the work folder it is in goes.
  if (ramfs !== '') await execa('umount', [ramfs], { reject: false });
  await ssh?.stop();
});

async function diskRun(scratchDir: string, out: string) {
  const deps = { workloads, backends: ['tcg'] };
  const suite = resolveSuite(
    { name: 'remote-scratch', backends: ['tcg'], repetitions: 1, timeoutSec: 300, workloads: [{ workload: 'disk', params: { sizeMiB: 16, runtimeSec: 1 } }] },
    deps,
    'remote-scratch',
  );
  const launched: VmSpec[] = [];
  const result = await runSuite({
    suite,
    suiteFile: 'remote-scratch',
    cases: expandSuite(suite, deps),
    outDir: out,
    image,
    host: new LocalHost(),
    hosts: [{ config: ssh!.sshd.config({ name: 'far', backends: ['tcg'], scratchDir }), host: remote }],
    backends: () => ({
      ...tcgBackend,
      launch: (vm, host) => {
        launched.push(vm);
        return tcgBackend.launch(vm, host);
      },
    }),
    workloads,
  });
  return { record: result.run.record.cases[0]!, launched, samples: result.samples };
}

describe('a disk case on a remote host', () => {
  it('is skipped at planning, with the host, the folder and what dd said, where its scratchDir refuses O_DIRECT', { timeout: 120_000 }, async (ctx) => {
    if (noMount) ctx.skip(noMount);
    const { record, launched } = await diskRun(ramfs, join(work, 'results-ram'));
    expect(record.status).toBe('skipped');
    expect(record.error?.message).toMatch(
      new RegExp(
        `^QEMU TCG opens this case's disk with O_DIRECT, and no scratch folder on host far takes O_DIRECT: ${ramfs}: no O_DIRECT \\(dd: .*Invalid argument\\); choose a scratchDir`,
      ),
    );
    expect(launched).toEqual([]);
    // The probe's block went again, and no run folder was made in it.
    expect(await readdir(ramfs)).toEqual([]);
  });

  it('runs under TCG with its disk in a private folder of the run in a scratchDir on a disk, removed afterwards', { timeout: 600_000 }, async () => {
    const onDisk = join(work, 'disk');
    await mkdir(onDisk);
    const { record, launched, samples } = await diskRun(onDisk, join(work, 'results-disk'));
    expect(record.error).toBeUndefined();
    expect(record).toMatchObject({ status: 'completed', host: 'far', repetitionsDone: 1 });
    expect(launched[0]?.disks[0]?.path).toMatch(new RegExp(`^${onDisk}/hvbench-scratch-[0-9a-f]{12}/case-1\\.raw$`));
    expect(samples.some((s) => s.metric === 'disk.seq_read_mib_s' && s.dims.host === 'far')).toBe(true);
    expect(await readdir(onDisk)).toEqual([]);
  });
});
