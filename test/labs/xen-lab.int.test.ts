import { readdirSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xenBackend } from '../../src/backends/xen/xen.ts';
import { hostFromConfig } from '../../src/hosts/from-config.ts';
import type { Host } from '../../src/hosts/host.ts';
import { labDown, labStatus, labUp, type LabUpResult } from '../../src/labs/lab.ts';
import { processArgv, processGone } from '../../src/util/proc.ts';
import { runningLabHosts } from '../../src/labs/registry.ts';
import { labHostConfig } from '../../src/labs/state.ts';
import { sshRun } from '../../src/labs/ssh.ts';
import type { Sample } from '../../src/results/sample.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads as shipped } from '../../src/workloads/registry.ts';
import type { Workload } from '../../src/workloads/workload.ts';
import { z } from 'zod';
import { hvbench } from '../support/cli.ts';
import { isDom0Fault, resumeNestedFaults } from '../support/nested-faults.ts';
import { withLabRevival } from '../support/lab-revival.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

// Every Xen check that needs real Xen, on ONE boot of the Xen lab (Xen 4.17 and a Linux
// dom0 under QEMU TCG, in its own state folder): the lab comes up, is a dom0, the real CLI
// runs the quick suite's cpu and disk cases as PV and PVH guests on it (file-backed vbds
// through the hotplug scripts, scratch disks made with dd), nothing is left in dom0, and the
// lab goes down whatever happens. Slow on a busy 2-core machine: the lab boots in 1–2 min,
// each guest in 1–2 min. The HVM guest is the opt-in xen-hvm.slow.int.test.ts.
const MINUTES = 60_000;
let stateRoot: string;
let out: string;
let up: LabUpResult | undefined;
let host: (Host & { close?: () => Promise<void> }) | undefined;

beforeAll(async () => {
  stateRoot = await mkdtemp(join(tmpdir(), 'hvb-lab-xen-'));
  out = await mkdtemp(join(tmpdir(), 'hvb-xen-run-'));
  // The CLI would build it too; building here keeps a cold build out of the run's timeout.
  await guestImage();
}, IMAGE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await host?.close?.();
  await labDown('xen', { stateRoot });
  await rm(stateRoot, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
}, 2 * MINUTES);

/** Pids of processes whose command line mentions `text` (the lab's QEMU names its state folder). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => pid !== process.pid && (processArgv(pid) ?? []).some((a) => a.includes(text)));
}

describe('Xen lab', () => {
  it('comes up and answers over SSH with its pinned host key', { timeout: 8 * MINUTES }, async () => {
    up = await labUp('xen', { stateRoot, log: (l) => process.stderr.write(`xen lab: ${l}\n`) });
    expect(up.alreadyUp).toBe(false);
    process.stderr.write(`xen lab timings (ms): ${JSON.stringify(up.timings)}\n`);
    expect(await labStatus('xen', { stateRoot })).toMatchObject({ up: true, sshAnswers: true, host: 'lab-xen' });
    expect((await runningLabHosts(stateRoot)).map((h) => [h.name, h.kind, h.backends])).toEqual([['lab-xen', 'lab', ['xen']]]);
  });

  it('is dom0 of a Xen whose xl info reports hardware virtualization, with bash for the hotplug scripts', { timeout: 3 * MINUTES }, async () => {
    expect(up, 'the lab of the test above').toBeDefined();
    const target = labHostConfig(up!.state);
    const uname = await sshRun(target, ['uname', '-r']);
    expect(uname.stdout.trim()).toBe(up!.state.kernelVersion);
    const info = await sshRun(target, ['xl', 'info'], 120_000);
    expect(info.exitCode).toBe(0);
    expect(info.stdout).toMatch(/^virt_caps\s*: .*\bhvm\b.*\bhap\b/m);
    expect(info.stdout).toMatch(/^xen_version\s*: 4\.17\./m);
    expect(info.stderr).not.toMatch(/Failed to read config file/);
    const list = await sshRun(target, ['xl', 'list'], 120_000);
    expect(list.stdout).toMatch(/^Domain-0\s+0\s/m);
    // What /etc/xen/scripts/block runs besides busybox.
    const tools = await sshRun(target, [
      'bash',
      '-c',
      'for t in flock xenstore-read xenstore-write xenstore-list losetup stat; do command -v "$t" >/dev/null || echo "missing $t"; done; echo "bash $BASH_VERSION"',
    ]);
    expect(tools.stdout).toMatch(/^bash 5\./m);
    expect(tools.stdout).not.toMatch(/missing/);
    host = hostFromConfig(labHostConfig(up!.state));
    expect(await xenBackend.probe(host)).toMatchObject({
      backend: 'xen',
      available: true,
      facts: { xen: expect.stringMatching(/^4\.17\./), xen_guest_types: expect.stringContaining('pvh') },
    });
  });

  // The nested lab may hang (docs/labs.md): a test whose lab stopped answering boots it again
  // and runs once more, saying so; a failure while the lab answers is the test's own.
  const revived = async (next: LabUpResult) => {
    up = next;
    const old = host;
    host = hostFromConfig(labHostConfig(next.state));
    await old?.close?.();
  };

  it("runs the quick suite's cpu, disk and net cases through the CLI as PV and PVH guests on lab-xen", { timeout: 45 * MINUTES }, () =>
    withLabRevival(
      'xen',
      stateRoot,
      async () => {
        expect(up, 'the lab of the first test').toBeDefined();
        // A folder of its own, so a run again after the lab was booted again starts empty.
        const quickOut = await mkdtemp(join(out, 'quick-'));
        const t0 = Date.now();
        const r = await hvbench(
          [
            'run',
            'suites/quick.ts',
            '--host',
            'lab-xen',
            '--backend',
            'xen',
            '--xen-type',
            'pv,pvh',
            '--workload',
            'cpu,disk,net',
            '--repetitions',
            '1',
            // Each step's PV I/O from xentop in dom0 (docs/overhead.md).
            '--count-events',
            '--out',
            quickOut,
          ],
          { env: { HVBENCH_LABS: stateRoot }, timeoutMs: 29 * MINUTES },
        );
        process.stderr.write(`hvbench run on lab-xen: exit ${r.exitCode} after ${((Date.now() - t0) / 1000).toFixed(0)} s\n${r.stdout}\n`);
        const [runId] = await readdir(quickOut);
        // PVH guests run on QEMU's emulation of AMD SVM with nested paging, which now and then
        // breaks them (a tool dies of a signal, the guest kernel oopses on a corrupt GS base, a
        // step's output is changed on its way out): about one PVH disk case in four. A PV guest,
        // which does not use SVM, was seen so once (fio died of SIGSEGV in libc). Such a case is
        // recorded as failed with the evidence and the run resumed, as a user would, at most four
        // times (about a minute each); everything else about it must hold. One failure that no
        // signature names may be resumed once (a PV guest's iperf3 lost its control connection
        // once in CI, never by hand), printed with what the guest and the peers said; a second
        // one, or the same again, fails the test.
        const { record, resumes } = await resumeNestedFaults(join(quickOut, runId!), {
          stateRoot,
          guestTypes: ['pv', 'pvh'],
          maxResumes: 4,
          timeoutMs: 10 * MINUTES,
          unexplainedResumes: 1,
        });
        expect(record.status).toBe('completed');
        // The disk job (four fio steps) fits a PV guest's 1023-byte command line only gzipped (hvb.jobz=).
        // The cases the quick suite expands to (its parameters may change; the real CLI says which).
        const listed = await hvbench(['list', 'suites/quick.ts', '--backend', 'xen', '--xen-type', 'pv,pvh', '--workload', 'cpu,disk,net']);
        const ids = listed.stdout
          .split('\n')
          .filter((l) => l.startsWith('xen:'))
          .sort();
        expect(ids.map((id) => id.split('/').slice(0, 2).join('/'))).toEqual([
          'xen:pv/cpu',
          'xen:pv/disk',
          'xen:pv/net',
          'xen:pvh/cpu',
          'xen:pvh/disk',
          'xen:pvh/net',
        ]);
        expect(record.cases.map((c) => [c.id, c.status, c.host]).sort(), r.stdout + r.stderr).toEqual(ids.map((id) => [id, 'completed', 'lab-xen']));
        expect(r.exitCode === 0 || resumes > 0, r.stdout + r.stderr).toBe(true);

        const samples = (await readFile(join(quickOut, runId!, 'samples.jsonl'), 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Sample);
        for (const s of samples) {
          expect(s.dims).toMatchObject({
            backend: 'xen',
            host: 'lab-xen',
            host_kind: 'lab',
            xen: expect.stringMatching(/^4\.17\./),
            dom0_kernel: up!.state.kernelVersion,
          });
          expect(['pv', 'pvh']).toContain(s.dims.guest_type);
          expect(s.dims.accel).toBe(`xen-${s.dims.guest_type}`);
        }
        const of = (workload: string, type: string) => samples.filter((s) => s.dims.workload === workload && s.dims.guest_type === type);
        for (const type of ['pv', 'pvh']) {
          const cpu = of('cpu', type);
          const disk = of('disk', type);
          const net = of('net', type);
          expect(cpu.map((s) => s.metric)).toEqual(expect.arrayContaining(['cpu.events_per_s', 'boot.to_ready_ms', 'host.vmm_cpu_s', 'host.vmm_job_cpu_s']));
          expect(disk.map((s) => s.metric)).toEqual(
            expect.arrayContaining(['disk.seq_read_mib_s', 'disk.seq_write_mib_s', 'disk.rand_read_iops', 'boot.to_ready_ms']),
          );
          // The guest reported the driver bound to the vbd: blkfront, which sysfs calls vbd.
          for (const s of disk) expect(s.dims).toMatchObject({ disk_model: 'xen-vbd', disk_driver: 'vbd', io: 'paravirtual' });
          // netfront bound the vif (sysfs: vif), on the case's own bridge in dom0 with the peers there.
          for (const s of net) expect(s.dims).toMatchObject({ nic_model: 'xen-vif', nic_driver: 'vif', net_attach: 'bridge', io: 'paravirtual' });
          for (const metric of ['net.tx_gbit_s', 'net.rx_gbit_s', 'net.rr_latency_p50_us'])
            expect(net.find((s) => s.metric === metric)?.value, `${type} ${metric}`).toBeGreaterThan(0);
          process.stderr.write(
            `xen ${type} net: ${net
              .filter((s) => s.metric.startsWith('net.'))
              .map((s) => `${s.metric} ${s.value.toPrecision(3)}`)
              .join(', ')}\n`,
          );
          for (const s of [...cpu, ...disk].filter((x) => x.metric === 'host.vmm_cpu_s')) expect(s.value).toBeGreaterThan(0);
          // Counted by xentop in dom0: blkfront's requests in each fio step, netfront's traffic.
          const counted = (list: Sample[], metric: string) => list.find((s) => s.metric === metric);
          expect(counted(disk, 'events.randread.vbd_read_requests_per_s')?.dims, type).toMatchObject({ event_source: 'xentop' });
          expect(counted(disk, 'events.randread.vbd_read_requests_per_s')?.value, type).toBeGreaterThan(0);
          expect(counted(disk, 'events.randwrite.vbd_write_requests_per_s')?.value, type).toBeGreaterThan(0);
          // The guest's upload is what dom0's vif received; what it got back (ACKs) is far less.
          const upload = counted(net, 'events.net-tx.net_from_guest_kib_per_s')?.value;
          expect(upload, type).toBeGreaterThan(counted(net, 'events.net-tx.net_to_guest_kib_per_s')!.value);
          process.stderr.write(
            `xen ${type} xentop: randread ${counted(disk, 'events.randread.vbd_read_requests_per_op')?.value} requests/op, net-tx from the guest ${upload} KiB/s\n`,
          );
          const boot = (list: Sample[]) => list.find((s) => s.metric === 'boot.to_ready_ms')?.value;
          process.stderr.write(`xen ${type}: boot.to_ready_ms cpu ${boot(cpu)}, disk ${boot(disk)}\n`);
        }
      },
      revived,
    ),
  );

  it(
    'a PV guest whose kernel panics: Xen reports the domain crashed, the case fails with the panic, the next cases run (two guests at once behind the start barrier)',
    {
      timeout: 20 * MINUTES,
    },
    () =>
      withLabRevival(
        'xen',
        stateRoot,
        async () => {
          expect(host, 'the lab host of the second test').toBeDefined();
          /** Writes "core" (the default core_pattern) into sysrq-trigger: `c` crashes the kernel. */
          const panic: Workload = {
            name: 'panic',
            description: 'crashes the guest kernel through sysrq (test only)',
            params: z.object({}).strict(),
            metrics: [],
            expectedSeconds: () => 1,
            command: () => ({ steps: [{ id: 'panic', argv: ['dd', 'if=/proc/sys/kernel/core_pattern', 'of=/proc/sysrq-trigger'] }] }),
            parse: () => [],
          };
          const workloads = { ...shipped, panic };
          const deps = { workloads, backends: ['xen'] };
          const image = await guestImage();
          const runCases = async (list: { workload: string; params?: Record<string, unknown>; guests?: number }[]) => {
            const suite = resolveSuite(
              { name: 'xen-crash', backends: ['xen'], xenTypes: ['pv'], repetitions: 1, guest: { memoryMiB: 256 }, workloads: list },
              deps,
              'xen-crash',
            );
            const cases = expandSuite(suite, deps);
            return (await runSuite({ suite, suiteFile: 'xen-crash', cases, outDir: out, image, host: host!, backends: () => xenBackend, workloads })).run;
          };
          const densityCase = { workload: 'cpu', params: { timeSec: 2 }, guests: 2 };
          const run = await runCases([{ workload: 'panic' }, { workload: 'boot' }, densityCase]);
          const [crashed, next] = run.record.cases;
          let dense = run.record.cases[2];
          let denseDir = run.dir;
          if (dense && isDom0Fault(dense)) {
            // xl in the nested dom0 now and then fails to unpack a kernel it unpacked a moment before.
            process.stderr.write(`xen lab: ${dense.id} failed in dom0 (${dense.error?.message.split('\n').slice(0, 3).join(' ')}); running it once more\n`);
            const again = await runCases([densityCase]);
            dense = again.record.cases[0];
            denseDir = again.dir;
          }
          process.stderr.write(`xen crash case: ${crashed?.error?.message}\n`);
          expect(crashed?.status).toBe('failed');
          expect(crashed?.error?.message).toMatch(
            /^repetition 1: the guest stopped before the job was done \(guest crashed \(kernel panic\)\); the guest kernel panicked: sysrq triggered crash/,
          );
          // The tail is the end of the panic's call trace; the whole console is in the case's log.
          expect(crashed?.guestLogTail?.at(-1)).toMatch(/^\[\s*\d+\.\d+\] /);
          expect(await readFile(join(run.dir, crashed!.logs![0]!), 'utf8')).toMatch(/Kernel panic - not syncing: sysrq triggered crash/);
          expect(next?.status).toBe('completed');
          // Two PV domains at once: each took its own go line through xl's console, over SSH.
          expect([dense?.id, dense?.status, dense?.error?.message]).toEqual(['xen:pv/cpu/guests=2,timeSec=2', 'completed', undefined]);
          const eps = (await readFile(join(denseDir, 'samples.jsonl'), 'utf8'))
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as Sample)
            .filter((x) => x.metric.startsWith('cpu.events_per_s'));
          expect(eps.map((x) => `${x.metric}@${x.dims.guest_index ?? '-'}`).sort()).toEqual([
            'cpu.events_per_s.jain@-',
            'cpu.events_per_s.min_max_ratio@-',
            'cpu.events_per_s.sum@-',
            'cpu.events_per_s@0',
            'cpu.events_per_s@1',
          ]);
          process.stderr.write(`xen pv density: ${eps.map((x) => `${x.metric} ${x.value.toPrecision(3)}`).join(', ')}\n`);
        },
        revived,
      ),
  );

  it('leaves nothing in dom0: no hvb- domain, no loop device, no bridge, no peer, no temporary folder', { timeout: 3 * MINUTES }, async () => {
    expect(up, 'the lab of the first test').toBeDefined();
    const target = labHostConfig(up!.state);
    const list = await sshRun(target, ['xl', 'list'], 120_000);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(/^Domain-0\s/m);
    expect(list.stdout).not.toMatch(/^hvb-/m);
    expect((await sshRun(target, ['losetup', '-a'])).stdout.trim()).toBe('');
    expect((await sshRun(target, ['ls', '/tmp'])).stdout).not.toMatch(/hvbench-|hvb-peers-/);
    expect((await sshRun(target, ['ip', '-o', 'link', 'show'])).stdout).not.toMatch(/hvbbr-|vif\d/);
    expect((await sshRun(target, ['ps'])).stdout).not.toMatch(/iperf3|sockperf/);
  });

  it('goes down: QEMU gone, state removed, no process of the lab left', { timeout: 2 * MINUTES }, async () => {
    expect(up, 'the lab of the first test').toBeDefined();
    await host?.close?.();
    host = undefined;
    expect(await labDown('xen', { stateRoot })).toEqual({ wasUp: true });
    expect(processGone(up!.state.pid)).toBe(true);
    expect(processesMentioning(stateRoot)).toEqual([]);
    await expect(stat(join(stateRoot, 'xen'))).rejects.toThrow(/ENOENT/);
    expect(await labStatus('xen', { stateRoot })).toMatchObject({ up: false });
    expect(await runningLabHosts(stateRoot)).toEqual([]);
  });
});
