import { HvbError } from '../util/errors.ts';
import { toolOutputHint } from './tool-output.ts';

/** One direction (read or write) of one fio job, from fio's JSON report. */
export interface FioSide {
  ioBytes: number;
  bwBytesPerS: number;
  iops: number;
  /** Completion latency percentiles in microseconds. */
  clatP50Us: number;
  clatP99Us: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function shape(problem: string, output: string): HvbError {
  return new HvbError('parse', `fio output: ${problem}`, { hint: toolOutputHint(output) });
}

/** fio's own messages on stderr: `fio: …` up to the end of the line. */
const FIO_MESSAGE = /fio: [^\n]*\n/g;

/**
 * The report object. stdout reaches the pipe in 4 KiB blocks while stderr is written at
 * once, so a message fio prints while finishing can land inside the JSON text, even in the
 * middle of a line; such `fio: …` messages are cut out when the text does not parse as is.
 */
/**
 * fio prints C's `nan`/`-nan`/`inf` for a figure it cannot compute (the deviation of a
 * bandwidth with fewer than two samples: a short job in a slow guest), which JSON has no
 * word for; such values become null (hvbench reads none of them).
 */
const NOT_A_NUMBER = /(:\s*)-?(?:nan|inf(?:inity)?)\b/gi;

function parseReport(text: string): { report: unknown } | { error: string } {
  let error = '';
  const numeric = (t: string) => t.replace(NOT_A_NUMBER, '$1null');
  for (const candidate of [text, numeric(text), numeric(text.replace(FIO_MESSAGE, ''))]) {
    try {
      return { report: JSON.parse(candidate) as unknown };
    } catch (e) {
      error ||= whereItBroke(text, e);
    }
  }
  return { error };
}

/** JSON.parse's message (V8 quotes the text around the fault), with the report's length and end, so a damaged report can be diagnosed from the error alone. */
function whereItBroke(text: string, e: unknown): string {
  const message = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ');
  return `${message} (${text.length} characters, ending ${JSON.stringify(text.slice(-40))})`;
}

function describeTail(output: string, last: number): string {
  const messages = output.match(FIO_MESSAGE) ?? [];
  const after = output.slice(last + 1).trim();
  return `${
    messages.length
      ? ` (fio said: ${messages
          .map((m) => m.trim())
          .join('; ')
          .slice(0, 300)})`
      : ''
  }${after ? ` (after it: ${JSON.stringify(after.slice(0, 200))})` : ''}`;
}

/**
 * Reads the report of one fio 3.x job run with `--output-format=json`. The report may follow
 * fio's warnings and errors as plain lines (when it shares stdout with them), so the object
 * is cut out first; `messages` is what fio printed elsewhere (its step's output, when the
 * report went to a file). A job whose `error` is not 0 fails with fio's own error lines.
 * Returns the side that moved data (`read` or `write`).
 */
export function parseFioJob(output: string, side: 'read' | 'write', messages = ''): FioSide {
  const first = output.indexOf('{');
  const last = output.lastIndexOf('}');
  const fioSaid = messages.trim() ? ` (fio said: ${JSON.stringify(messages.trim().slice(0, 300))})` : '';
  if (first < 0 || last < first) throw shape(`no JSON report${fioSaid}`, output);
  const parsed = parseReport(output.slice(first, last + 1));
  if (!('report' in parsed)) throw shape(`the JSON report does not parse: ${parsed.error}${describeTail(output, last)}${fioSaid}`, output);
  const report = parsed.report;
  const jobs = isObject(report) ? report.jobs : undefined;
  if (!Array.isArray(jobs) || jobs.length !== 1 || !isObject(jobs[0])) throw shape('expected exactly one job in "jobs"', output);
  const job = jobs[0];
  if (job.error !== 0) {
    const said = `${messages}\n${output.slice(0, first)}`.trim().split('\n').filter(Boolean).join('; ');
    throw new HvbError('tool-error', `fio job ${String(job.jobname)} failed with error ${String(job.error)}${said ? `: ${said}` : ''}`);
  }
  const s = job[side];
  if (!isObject(s)) throw shape(`job has no "${side}" section`, output);
  if (s.io_bytes === 0) throw new HvbError('tool-error', `fio job ${String(job.jobname)} moved no data`);
  const percentile = isObject(s.clat_ns) && isObject(s.clat_ns.percentile) ? s.clat_ns.percentile : {};
  const values = {
    ioBytes: s.io_bytes,
    bwBytesPerS: s.bw_bytes,
    iops: s.iops,
    clatP50Us: typeof percentile['50.000000'] === 'number' ? percentile['50.000000'] / 1000 : undefined,
    clatP99Us: typeof percentile['99.000000'] === 'number' ? percentile['99.000000'] / 1000 : undefined,
  };
  for (const [k, v] of Object.entries(values)) if (typeof v !== 'number' || !Number.isFinite(v)) throw shape(`${side}: no number for ${k}`, output);
  return values as FioSide;
}
