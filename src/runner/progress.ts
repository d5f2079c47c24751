import type { RunEvent, RunObserver } from './events.ts';

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Live progress: one status line rewritten in place on a terminal, plain lines otherwise. */
export function progressObserver(
  stream: Stream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): RunObserver & { stop(): void } {
  const live = Boolean(stream.isTTY) && !env.CI && env.TERM !== 'dumb';
  const t0 = now();
  let done = 0;
  let spent = 0;
  let current: Extract<RunEvent, { type: 'rep-start' }> | undefined;
  let repStart = 0;
  let ticker: NodeJS.Timeout | undefined;

  const label = (e: { caseId: string; rep: number; warmup: boolean }) => `${e.caseId} ${e.warmup ? 'warm-up' : 'rep'} ${e.rep}`;
  const eta = (total: number) => (done === 0 ? '?' : formatDuration((spent / done) * (total - done)));
  const status = () => {
    if (!current) return '';
    return `[${current.index}/${current.total}] ${label(current)} · ${formatDuration(now() - repStart)} · elapsed ${formatDuration(now() - t0)} · ETA ${eta(current.total)}`;
  };
  const redraw = () => stream.write(`\r\u001b[K${status()}`);
  const print = (line: string) => stream.write(live ? `\r\u001b[K${line}\n${status()}` : `${line}\n`);

  const observer = (e: RunEvent) => {
    switch (e.type) {
      case 'run-start':
        print(`run ${e.runId}: ${e.cases} cases, ${e.repetitions} guest boots → ${e.dir}`);
        break;
      case 'rep-start':
        current = e;
        repStart = now();
        if (live) {
          redraw();
          ticker ??= setInterval(redraw, 1000);
          ticker.unref();
        } else {
          stream.write(`[${e.index}/${e.total}] ${label(e)} …\n`);
        }
        break;
      case 'rep-end': {
        done++;
        spent += e.wallMs;
        const line = `[${e.index}/${e.total}] ${label(e)}: ${e.status} in ${formatDuration(e.wallMs)}${e.error ? ` — ${e.error}` : ''} (ETA ${eta(e.total)})`;
        current = undefined;
        print(line);
        break;
      }
      case 'rep-retry':
        print(`${e.caseId} ${e.warmup ? 'warm-up' : 'rep'} ${e.rep}: ${e.error} — running it again (retry ${e.attempt} of ${e.of})`);
        break;
      case 'case-skipped':
        print(`${e.caseId}: skipped — ${e.reason}`);
        break;
      case 'backend-unavailable':
        print(`${e.message} — ${e.cases} case${e.cases === 1 ? '' : 's'} skipped`);
        break;
      case 'probe-log':
        // Probes name their backend in their own lines (as `hvbench doctor` prints them).
        print(e.host === 'local' ? e.line : `${e.host}: ${e.line}`);
        break;
      case 'case-failed':
        print(`${e.caseId}: failed — ${e.reason}`);
        break;
      case 'run-end':
        observer.stop();
        print(`run ${e.status} in ${formatDuration(e.wallMs)}`);
        break;
    }
  };
  observer.stop = () => {
    if (ticker) clearInterval(ticker);
    ticker = undefined;
    current = undefined;
    if (live) stream.write('\r\u001b[K');
  };
  return observer;
}
