import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { HvbError } from '../../util/errors.ts';
import { openRun } from '../store.ts';
import { hasIndex, withIndex } from './db.ts';
import { indexedRuns } from './query.ts';
import { syncIndex } from './sync.ts';

/**
 * A baseline chosen by query instead of by id (`hvbench compare <run> latest:main`):
 *
 *   latest                  the newest completed run of the same suite as the run under test
 *   latest:<suite>          the newest completed run of that suite
 *   latest:<suite>@<host>   … that ran cases on that host (a name from the hosts file, or local)
 *
 * "Newest" is by start time, among the runs of the results folder that started before the
 * run under test (never the run itself). Read from the folder's index when it has one, else
 * from every run.json.
 */
export interface BaselineQuery {
  text: string;
  suite?: string;
  host?: string;
}

const QUERY = /^latest(?::([a-z0-9-]{1,64})(?:@([A-Za-z0-9_.-]{1,128}))?)?$/;

/** The query `text` stands for, or undefined when it is a run (a folder or an id). */
export function parseBaselineQuery(text: string): BaselineQuery | undefined {
  if (text !== 'latest' && !text.startsWith('latest:')) return undefined;
  const m = QUERY.exec(text);
  if (!m) {
    throw new HvbError('usage', `baseline ${JSON.stringify(text)}: expected latest, latest:<suite> or latest:<suite>@<host>`, {
      hint: 'e.g. latest:nightly or latest:nightly@lab-kvm; a suite name is lower-case letters, digits and "-"',
    });
  }
  return { text, ...(m[1] ? { suite: m[1] } : {}), ...(m[2] ? { host: m[2] } : {}) };
}

interface Candidate {
  dir: string;
  id: string;
  suite: string;
  status: string;
  startedAt: string;
  hosts: string[];
}

/**
 * The run folder the query names, among the runs of `resultsDir` other than `under` (the run
 * under test). An error names the query and what the folder holds when nothing matches.
 */
export async function resolveBaseline(query: BaselineQuery, resultsDir: string, under: { id: string; suite: string; startedAt: string }): Promise<string> {
  const suite = query.suite ?? under.suite;
  // An index that cannot be used (held by another process, a read-only folder) only costs time.
  const all = (await hasIndex(resultsDir)) ? await fromIndex(resultsDir).catch(() => fromFolders(resultsDir)) : await fromFolders(resultsDir);
  const matching = all.filter(
    (c) =>
      c.id !== under.id &&
      c.suite === suite &&
      c.status === 'completed' &&
      c.startedAt < under.startedAt &&
      (query.host === undefined || c.hosts.includes(query.host)),
  );
  const newest = matching.reduce<Candidate | undefined>(
    (a, c) => (a === undefined || c.startedAt > a.startedAt || (c.startedAt === a.startedAt && c.id > a.id) ? c : a),
    undefined,
  );
  if (newest) return newest.dir;
  const suites = [...new Set(all.map((c) => c.suite))].sort();
  throw new HvbError(
    'run-not-found',
    `baseline ${query.text}: no completed run of suite ${suite}${query.host ? ` on host ${query.host}` : ''} started before ${under.id} in ${resultsDir}`,
    { hint: suites.length ? `suites with runs there: ${suites.join(', ')}` : 'the folder holds no runs' },
  );
}

/**
 * The baseline as given (a run folder or id), or the run folder a query (`latest:main`) names
 * among the runs of `results` (default: the folder holding the run under test).
 */
export async function baselineFolder(
  ref: string,
  under: { dir: string; record: { id: string; suite: { name: string }; startedAt: string } },
  results?: string,
): Promise<string> {
  const query = parseBaselineQuery(ref);
  if (query === undefined) return ref;
  const { id, suite, startedAt } = under.record;
  return resolveBaseline(query, results ?? path.dirname(under.dir), { id, suite: suite.name, startedAt });
}

async function fromIndex(resultsDir: string): Promise<Candidate[]> {
  return withIndex(resultsDir, async (db) => {
    await syncIndex(db);
    const runs = await indexedRuns(db, resultsDir);
    return runs.flatMap((r) =>
      r.error === undefined && r.id && r.suite && r.status && r.startedAt
        ? [{ dir: r.dir, id: r.id, suite: r.suite, status: r.status, startedAt: r.startedAt, hosts: r.hosts }]
        : [],
    );
  });
}

async function fromFolders(resultsDir: string): Promise<Candidate[]> {
  const names = await readdir(resultsDir).catch(() => [] as string[]);
  const out: Candidate[] = [];
  for (const name of names.sort()) {
    const dir = path.join(resultsDir, name);
    const run = await openRun(dir).catch(() => undefined);
    if (!run) continue;
    const r = run.record;
    const hosts = [...new Set([...(r.hosts ?? []).map((h) => h?.name), ...r.cases.map((c) => c.host)].filter((h): h is string => typeof h === 'string'))];
    out.push({ dir, id: run.id, suite: r.suite.name, status: r.status, startedAt: r.startedAt, hosts });
  }
  return out;
}
