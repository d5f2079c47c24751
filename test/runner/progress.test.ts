import { describe, expect, it } from 'vitest';
import { formatDuration, progressObserver } from '../../src/runner/progress.ts';

function capture(isTTY: boolean, env: NodeJS.ProcessEnv = {}) {
  let text = '';
  let t = 0;
  const observer = progressObserver({ isTTY, write: (s: string) => (text += s) }, env, () => t);
  return { observer, text: () => text, advance: (ms: number) => (t += ms) };
}

const start = { type: 'rep-start', index: 1, total: 2, caseId: 'tcg/cpu', backend: 'tcg', workload: 'cpu', rep: 1, warmup: false } as const;
const end = { type: 'rep-end', index: 1, total: 2, caseId: 'tcg/cpu', rep: 1, warmup: false, status: 'completed', wallMs: 12_000 } as const;

describe('progress', () => {
  it('prints plain lines when not on a terminal', () => {
    const p = capture(false);
    p.observer({ type: 'run-start', runId: 'r1', dir: 'results/r1', cases: 1, repetitions: 2 });
    p.observer(start);
    p.advance(12_000);
    p.observer(end);
    p.observer({ type: 'run-end', status: 'completed', wallMs: 24_000 });
    expect(p.text()).toBe(
      'run r1: 1 cases, 2 guest boots → results/r1\n[1/2] tcg/cpu rep 1 …\n[1/2] tcg/cpu rep 1: completed in 12s (ETA 12s)\nrun completed in 24s\n',
    );
    expect(p.text()).not.toContain('\r');
  });

  it('falls back to plain lines in CI even on a terminal', () => {
    const p = capture(true, { CI: 'true' });
    p.observer(start);
    expect(p.text()).toBe('[1/2] tcg/cpu rep 1 …\n');
  });

  it('rewrites one status line in place on a terminal', () => {
    const p = capture(true);
    p.observer(start);
    p.advance(3_000);
    p.observer(end);
    p.observer({ type: 'run-end', status: 'completed', wallMs: 3_000 });
    expect(p.text()).toContain('\r\u001b[K[1/2] tcg/cpu rep 1 · 0s · elapsed 0s · ETA ?');
    expect(p.text()).toContain('\r\u001b[K[1/2] tcg/cpu rep 1: completed in 12s (ETA 12s)\n');
  });

  it('says once per unavailable backend why its cases are skipped, and passes on probe lines', () => {
    const p = capture(false);
    p.observer({ type: 'probe-log', backend: 'kvm', host: 'local', line: 'kvm: booting a canary guest' });
    p.observer({
      type: 'backend-unavailable',
      backend: 'xen',
      host: 'local',
      message: 'backend xen cannot run here: not a Xen dom0',
      reason: 'not a Xen dom0',
      cases: 6,
    });
    p.observer({ type: 'probe-log', backend: 'kvm', host: 'lab-kvm', line: 'kvm: ok' });
    expect(p.text()).toBe('kvm: booting a canary guest\nbackend xen cannot run here: not a Xen dom0 — 6 cases skipped\nlab-kvm: kvm: ok\n');
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(61_000)).toBe('1m01s');
    expect(formatDuration(3_660_000)).toBe('1h01m');
  });
});
