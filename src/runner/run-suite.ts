import { resolve } from 'node:path';
import type { Capability } from '../backends/common/backend.ts';
import { hvbenchVersion } from '../results/provenance.ts';
import { errorInfo, pendingCase, type CaseRecord, type HostFacts } from '../results/run-record.ts';
import type { Sample } from '../results/sample.ts';
import { SCRATCH_DIR } from '../results/scratch-dir.ts';
import { createRun, finishRun, updateRun, type StoredRun } from '../results/store.ts';
import type { ResolvedSuite, Case } from '../suite/types.ts';
import { groupKey } from '../stats/interleave.ts';
import type { StoppingPolicy } from '../stats/stopping.ts';
import { busyHostWatcher } from '../tuning/busy-host.ts';
import { beginRunTuning, recordTuning } from '../tuning/run-hosts.ts';
import { refuseCrowdedHosts } from './density-fit.ts';
import { factDimsOf, inspectHost, overcommitted, planCase, refuseOversizedGuests, type CasePlan, type HostState } from './case-plan.ts';
import { BACKEND_UNAVAILABLE, CaseRecorder } from './case-recorder.ts';
import { runGroup } from './group.ts';
import { assignHosts } from './host-assign.ts';
import { openMember, repeatMember, stopMetricOf, type Member, type MemberContext } from './member.ts';
import { prepareResume } from './resume.ts';
import { RunControl } from './run-control.ts';
import type { RunSuiteOptions, RunSuiteResult } from './run-options.ts';
import type { RunProvenance } from './sample-dims.ts';

export type { RunHost } from './case-plan.ts';
export type { RunSuiteOptions, RunSuiteResult } from './run-options.ts';
export { BACKEND_UNAVAILABLE };

/** Scratch disks live in the run folder (never tmpfs: QEMU opens them with O_DIRECT), removed after each case. */
export { SCRATCH_DIR };

/**
 * Runs every case of a suite and writes each repetition's samples to disk as soon as it
 * ends. Cases go to hosts that offer their backend (host-assign.ts); each host runs one
 * guest at a time — a benchmark host is never shared with another case — and different
 * hosts run in parallel. Cases of a backend that cannot run on their host, or that ask for
 * a device their backend does not offer, are recorded as skipped with the reason; cases of
 * a host that does not answer fail with the cause, and the other hosts go on.
 *
 * The parts: case-plan.ts decides what can run where, group.ts schedules the repetitions of
 * a group, member.ts runs one, case-recorder.ts is the one writer of a case's state, and
 * run-control.ts holds what every host's loop shares (order, progress, why the run stops).
 */
export async function runSuite(options: RunSuiteOptions): Promise<RunSuiteResult> {
  const t0 = Date.now();
  // Run folders (and the scratch disks in them) are handed to VMMs that run elsewhere: absolute from here on.
  const o: RunSuiteOptions = {
    ...options,
    outDir: resolve(options.outDir),
    ...(options.resume ? { resume: { ...options.resume, dir: resolve(options.resume.dir) } } : {}),
  };
  const observe = o.observer ?? (() => undefined);
  const runHosts = o.hosts ?? [{ config: { name: o.host.name, kind: o.host.kind, backends: [...new Set(o.cases.map((c) => c.backend))] }, host: o.host }];
  const assignment = assignHosts(
    o.cases,
    runHosts.map((h) => h.config),
    o.suite.interleave,
  );
  const used = runHosts.filter((h) => assignment.some((a) => 'host' in a && a.host === h.config.name));
  const states = new Map<string, HostState>();
  await Promise.all(used.map(async (h) => states.set(h.config.name, await inspectHost(h, o, assignment))));
  refuseOversizedGuests(o, assignment, states);
  await refuseCrowdedHosts(o, assignment, states);

  const resumed = o.resume ? await prepareResume(o.resume, o.cases, (c) => stopMetricOf(o, c), o.writable) : undefined;
  const run =
    resumed?.run ??
    (await createRun(
      o.outDir,
      {
        suite: { name: o.suite.name, file: o.suiteFile, resolved: o.suite, ...(o.suiteOverrides ? { overrides: o.suiteOverrides } : {}) },
        hvbench: await hvbenchVersion(),
        hosts: [...states.values()].flatMap((s) => (s.facts ? [{ ...s.facts, kind: s.run.config.kind }] : [])),
        image: { id: o.image.manifest.id, hash: o.image.hash, kernelVersion: o.image.manifest.kernel.version },
        backends: [...states.values()].flatMap((s) => backendRecords(s, o)),
        cases: o.cases.map(pendingCase),
        ...(o.shard ? { shard: o.shard } : {}),
        ...(o.countEvents ? { countEvents: o.countEvents } : {}),
      },
      o.writable,
    ));
  const recorder = new CaseRecorder(run);
  await recorder.retried(
    undefined,
    [...states.values()].flatMap((s) => s.retries ?? []),
  );
  // The host state (stabilised with --stabilize) from here, when measuring starts; read again and put back before the run's end is written.
  const tuning = await beginRunTuning(
    [...states.values()].filter((st) => st.unreachable === undefined).map((st) => st.run.host),
    { stabilize: o.stabilize === true, ...(o.tuningLog ? { log: o.tuningLog } : {}) },
  );
  await updateRun(run, (r) => recordTuning(r.hosts, tuning.records));
  const plans = o.cases.map((c, i) => planCase(c, assignment[i]!, states, o));
  const done = (c: Case) => resumed?.done.has(c.id) === true;
  const todo = o.cases.filter((c) => !done(c));
  const total = o.cases.reduce(
    (n, c, i) => n + ('devices' in plans[i]! && !done(c) ? c.warmup + c.repetitions - (resumed?.kept.get(c.id)?.length ?? 0) : 0),
    0,
  );
  observe({ type: 'run-start', runId: run.id, dir: run.dir, cases: todo.length, repetitions: total });

  // Other processes' CPU time on the host during each repetition (busy host), read around rep-start and rep-end.
  const busy = busyHostWatcher({
    hostOf: (id) => {
      const plan = plans[o.cases.findIndex((c) => c.id === id)];
      return plan && 'devices' in plan ? plan.state.run.host : undefined;
    },
    usageOf: (id, rep, warmup) =>
      run.record.cases
        .find((c) => c.id === id)
        ?.usage.filter((u) => u.rep === rep && u.warmup === warmup)
        .at(-1),
  });
  const control = new RunControl(
    resumed?.nextSeq ?? 0,
    total,
    (e) => {
      busy.observe(e);
      observe(e);
    },
    o.signal,
  );
  /** Per host, its groups in suite order. */
  const queues = new Map<string, Map<string, Member[]>>();
  const announced = new Set<string>();
  for (const [i, c] of o.cases.entries()) {
    const record = run.record.cases[i] as CaseRecord;
    const plan = plans[i]!;
    if (done(c)) continue;
    if (!('devices' in plan)) {
      if ('fail' in plan && o.failFast) control.stopFor({ code: 'fail-fast', message: `--fail-fast: case ${c.id} failed: ${plan.fail}` });
      await recorder.notStarted(record, 'skip' in plan ? { skip: plan.skip, backendUnavailable: plan.unavailable !== undefined } : plan);
      announceNotStarted(c, plan, plans, o.cases, done, announced, observe);
      continue;
    }
    const { state } = plan;
    const capability = state.capabilities.get(c.backend) as Capability;
    const facts = state.facts as HostFacts;
    const provenance: RunProvenance = {
      suite: o.suite.name,
      run: run.id,
      host: state.run.config.name,
      hostKind: state.run.config.kind,
      hostCpu: facts.cpuModel,
      image: o.image.hash,
      backendFacts: factDimsOf(o.backends(c.backend), capability),
      ...overcommitted(c, state.run.config.name, facts),
    };
    const key = o.suite.interleave ? groupKey(c) : c.id;
    const groups = queues.get(state.run.config.name) ?? new Map<string, Member[]>();
    queues.set(state.run.config.name, groups);
    const members = groups.get(key) ?? [];
    members.push({
      c,
      record,
      provenance,
      devices: plan.devices,
      caseIndex: i,
      state,
      warmup: c.warmup,
      stopValues: [...(resumed?.kept.get(c.id) ?? [])],
      failed: false,
    });
    groups.set(key, members);
  }
  const x: MemberContext = { o, run, recorder, control };
  const steps = {
    open: (m: Member) => openMember(x, m),
    repeat: (m: Member, rep: number, warmup: boolean) => repeatMember(x, m, rep, warmup),
    finish: (m: Member) => recorder.finished(m.record, control.interrupted),
    release: async (m: Member) => m.setup?.release(),
  };
  const perHost = await Promise.all(
    [...queues.values()].map(async (groups) => {
      const samples: Sample[] = [];
      try {
        for (const members of groups.values()) {
          if (control.stopped) break;
          samples.push(...(await runGroup(members, stoppingPolicy(o.suite, members[0]!.c), control, steps)));
        }
      } catch (e) {
        // A results write that failed (full disk), or any other fault: stop every host, record it below.
        control.fault(e, { ...errorInfo(e), code: errorInfo(e).code ?? 'error' });
      }
      return samples;
    }),
  );
  for (const state of states.values()) {
    if (state.scratchDir !== undefined) await state.run.host.removeTree(state.scratchDir).catch(() => {});
  }
  for (const [name, b] of await busy.settle()) {
    const record = tuning.records.get(name);
    if (record) record.busy = b;
  }
  await tuning.end();
  await updateRun(run, (r) => recordTuning(r.hosts, tuning.records)).catch(() => {});
  await finish(run, recorder, control);
  observe({ type: 'run-end', status: statusOf(control), wallMs: Date.now() - t0 });
  if (control.fatal !== undefined) throw control.fatal;
  return { run, samples: perHost.flat() };
}

function statusOf(control: RunControl): 'interrupted' | 'failed' | 'completed' {
  return control.interrupted ? 'interrupted' : control.stop ? 'failed' : 'completed';
}

/** Records the cases a stop left pending and the run's end. */
async function finish(run: StoredRun, recorder: CaseRecorder, control: RunControl): Promise<void> {
  const status = statusOf(control);
  try {
    if (control.stop && !control.interrupted) await recorder.notRun(control.stop);
    await finishRun(run, status, status === 'failed' ? control.stop : undefined);
  } catch (e) {
    // run.json cannot be written either (the same full disk): the first fault is the one to report.
    if (control.fatal === undefined) throw e;
  }
}

/** The backends of a host as run.json records them: what each probe found, or the host's silence. */
function backendRecords(s: HostState, o: RunSuiteOptions) {
  if (s.unreachable !== undefined) {
    return s.run.config.backends
      .filter((b) => o.cases.some((c) => c.backend === b))
      .map((b) => ({ backend: b, host: s.run.config.name, available: false, reason: s.unreachable!, facts: {} }));
  }
  return [...s.capabilities.values()].map((c) => ({ backend: c.backend, host: s.run.config.name, available: c.available, reason: c.reason, facts: c.facts }));
}

/** Tells the observer of a case that does not start: one line per backend that cannot run on a host, not one per case. */
function announceNotStarted(
  c: Case,
  plan: Exclude<CasePlan, { devices: unknown }>,
  plans: readonly CasePlan[],
  cases: readonly Case[],
  done: (c: Case) => boolean,
  announced: Set<string>,
  observe: NonNullable<RunSuiteOptions['observer']>,
): void {
  if ('fail' in plan) {
    observe({ type: 'case-failed', caseId: c.id, reason: plan.fail });
    return;
  }
  const away = plan.unavailable;
  if (!away) {
    observe({ type: 'case-skipped', caseId: c.id, reason: plan.reason });
    return;
  }
  const key = `${away.host}\u0000${away.backend}`;
  if (announced.has(key)) return;
  announced.add(key);
  const n = plans.filter((p, j) => 'skip' in p && p.unavailable?.host === away.host && p.unavailable.backend === away.backend && !done(cases[j]!)).length;
  observe({ type: 'backend-unavailable', backend: away.backend, host: away.host, message: plan.skip, reason: plan.reason, cases: n });
}

function stoppingPolicy(suite: ResolvedSuite, c: Case): StoppingPolicy {
  return {
    min: c.repetitions,
    max: Math.max(c.repetitions, suite.maxRepetitions ?? c.repetitions),
    ...(suite.targetCiHalfWidth === undefined ? {} : { targetCiHalfWidth: suite.targetCiHalfWidth }),
    ...(suite.timeBudgetSec === undefined ? {} : { timeBudgetSec: suite.timeBudgetSec }),
  };
}
