/** What the runner tells its observers (progress display, logs). */
export type RunEvent =
  | { type: 'run-start'; runId: string; dir: string; cases: number; repetitions: number }
  | { type: 'rep-start'; index: number; total: number; caseId: string; backend: string; workload: string; rep: number; warmup: boolean }
  | { type: 'rep-end'; index: number; total: number; caseId: string; rep: number; warmup: boolean; status: string; wallMs: number; error?: string }
  /** A repetition whose guest stopped by itself runs again (`run --retry-crashed`): `attempt` of at most `of` retries. */
  | { type: 'rep-retry'; caseId: string; rep: number; warmup: boolean; error: string; attempt: number; of: number }
  | { type: 'case-skipped'; caseId: string; reason: string }
  /** A backend whose probe said no on a host: its cases there are skipped (once per backend and host, not per case). */
  | { type: 'backend-unavailable'; backend: string; host: string; message: string; reason: string; cases: number }
  /** A line a probe prints while it works (e.g. a canary boot), for a person waiting. */
  | { type: 'probe-log'; backend: string; host: string; line: string }
  | { type: 'case-failed'; caseId: string; reason: string }
  | { type: 'run-end'; status: string; wallMs: number };

export type RunObserver = (event: RunEvent) => void;
