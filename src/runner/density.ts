import type { VmmUsage } from '../backends/common/backend.ts';
import type { Dims } from '../results/sample.ts';
import { DensityBarrier } from './density-barrier.ts';
import { runRepetition, type RepOutcome, type RepetitionInput } from './repetition.ts';

/**
 * One repetition of a density case: N identical guests booted at once on one host, each
 * with its own nonce and its own VM, behind one start barrier (density-barrier.ts). A guest
 * that fails or hangs before the barrier falls stops the others, and the repetition fails
 * with its reason; after it fell, each guest finishes on its own.
 *
 * The guests' VMMs are started one after another (guest i once guest i−1's launch has
 * returned), then boot together: over SSH every launch opens sessions on one connection,
 * and a dropbear server (the labs') now and then drops a session opened at the same moment
 * as another (ssh exits 255). A launch returns once the VMM runs, long before its guest is
 * ready, so this costs a fraction of a second per guest and the barrier still aligns the steps.
 */

/** What the N guests of one repetition produced. */
export interface DensityOutcome {
  /** Each guest's own outcome, by guest index. */
  guests: RepOutcome[];
  /** The repetition as a whole, for the case's record and log (combineOutcomes). */
  combined: RepOutcome;
}

/**
 * Runs `guests` repetitions of `input` at once. Each guest's VM is named `<name>-g<i>`;
 * `guestInput(i)` changes what guest i runs (the noisy neighbour's load); `run` is runRepetition
 * (a test passes its own).
 */
export async function runDensityRepetition(
  input: RepetitionInput,
  guests: number,
  run = runRepetition,
  guestInput: (index: number) => Partial<RepetitionInput> = () => ({}),
): Promise<DensityOutcome> {
  const controllers = Array.from({ length: guests }, () => new AbortController());
  let stopped: string | undefined;
  const barrier = new DensityBarrier(guests, (why) => {
    stopped = why;
    for (const c of controllers) c.abort();
  });
  const onAbort = () => {
    for (const c of controllers) c.abort();
  };
  input.signal?.addEventListener('abort', onAbort, { once: true });
  if (input.signal?.aborted) onAbort();
  const launched = controllers.map(() => {
    let resolve = () => {};
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    return { promise, resolve };
  });
  try {
    const outcomes = await Promise.all(
      controllers.map(async (controller, i) => {
        const launchTurn = { wait: () => (i === 0 ? Promise.resolve() : launched[i - 1]!.promise), done: () => launched[i]!.resolve() };
        const out = await run({
          ...input,
          ...guestInput(i),
          name: `${input.name}-g${i}`,
          signal: controller.signal,
          barrier: barrier.guest(i),
          launchTurn,
        }).finally(() => launched[i]!.resolve());
        barrier.ended(i, out.status === 'completed' ? 'it completed without waiting' : (out.error ?? out.status));
        return out;
      }),
    );
    // The guests the barrier stopped failed because another one did: say so, not "interrupted".
    const own = outcomes.map((out) =>
      stopped !== undefined && !input.signal?.aborted && out.error === 'interrupted' ? { ...out, error: `stopped: ${stopped}` } : out,
    );
    return { guests: own, combined: combineOutcomes(own, stopped) };
  } finally {
    input.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The repetition as one outcome: completed when every guest completed; otherwise the first
 * guest's failure (a timeout before a failure), with every guest's error named. Its
 * values are left to the caller (the aggregates); the logs are every guest's in turn; the
 * usage is the guests' VMMs together (CPU time summed, the largest resident set); the
 * dimensions are those every guest agrees on.
 */
export function combineOutcomes(guests: RepOutcome[], broken?: string): RepOutcome {
  const first = guests[0]!;
  const bad = guests.map((g, i) => ({ g, i })).filter(({ g }) => g.status !== 'completed');
  const status = bad.find(({ g }) => g.status === 'timed-out')?.g.status ?? bad[0]?.g.status ?? 'completed';
  const errors = bad.map(({ g, i }) => `guest ${i}: ${g.error ?? g.status}`);
  const error = broken !== undefined ? `${broken}${errors.length > 0 ? ` (${errors.join('; ')})` : ''}` : errors.length > 0 ? errors.join('; ') : undefined;
  const usages = guests.map((g) => g.usage).filter((u): u is VmmUsage => u !== undefined);
  const usage =
    usages.length === guests.length
      ? {
          pid: usages[0]!.pid,
          cpuUserS: usages.reduce((a, u) => a + u.cpuUserS, 0),
          cpuSystemS: usages.reduce((a, u) => a + u.cpuSystemS, 0),
          peakRssKiB: Math.max(...usages.map((u) => u.peakRssKiB)),
        }
      : undefined;
  const startedAt = guests.map((g) => g.startedAt).sort()[0]!;
  return {
    status,
    ...(error === undefined ? {} : { error }),
    ...(first.accel === undefined ? {} : { accel: first.accel }),
    ...(first.guestKernel === undefined ? {} : { guestKernel: first.guestKernel }),
    values: [],
    ...(usage ? { usage } : {}),
    ...(first.exit ? { exit: first.exit } : {}),
    startedAt,
    wallMs: Math.max(...guests.map((g) => g.wallMs)),
    guestLog: guests.flatMap((g, i) => [`--- guest ${i} ---`, ...g.guestLog]),
    vmmLog: guests.map((g, i) => (g.vmmLog.trim() === '' ? '' : `--- guest ${i} ---\n${g.vmmLog}`)).join(''),
    steps: guests.flatMap((g, i) => g.steps.map((s) => ({ ...s, id: `g${i}.${s.id}` }))),
    facts: first.facts,
    dims: commonDims(guests.map((g) => g.dims)),
    ...(guests.some((g) => g.crashed) ? { crashed: true as const } : {}),
    ...(first.manifest ? { manifest: first.manifest } : {}),
  };
}

/** The dimensions with the same value in every guest. */
function commonDims(all: Dims[]): Dims {
  const [head, ...rest] = all;
  if (!head) return {};
  return Object.fromEntries(Object.entries(head).filter(([k, v]) => rest.every((d) => d[k] === v)));
}
