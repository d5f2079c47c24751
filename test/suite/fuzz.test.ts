import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveSeed } from '../../src/stats/prng.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import type { SuiteDeps } from '../../src/suite/types.ts';
import { HvbError } from '../../src/util/errors.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { hvbench } from '../support/cli.ts';
import { MUTATIONS, type Mutant } from './fuzz/mutations.ts';
import { Random } from './fuzz/random.ts';
import { toSource } from './fuzz/source.ts';
import { BACKENDS, validSuite, type Json } from './fuzz/valid-suite.ts';

/**
 * Malformed suites, generated: a valid suite drawn at random, then broken in one place
 * (wrong types, odd numbers, unknown keys, prototype keys, impossible combinations, huge
 * matrices, deep or cyclic values, throwing getters, …). Every one must be refused with an
 * HvbError whose lines start with the file and one of which names the broken field.
 * Set HVBENCH_FUZZ_SEED to explore other seeds; a failure prints the seed of each case.
 */
const SEED = Number(process.env.HVBENCH_FUZZ_SEED ?? 20_261_127);
const CASES = 600;
const CLI_CASES = 10;
const deps: SuiteDeps = { workloads, backends: BACKENDS };
const FILES = ['suites/x.ts', 'suites/my suite (1).ts', 'ünï/cödé.ts', '/srv/suites/quick.suite.ts', 'a:b\\c.ts'];

/** `workloads[0].params.threads`, `compare.metrics["cpu.events_per_s"]`: written independently of the code under test. */
function fieldPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const key of p) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(key))) out += out ? `.${String(key)}` : String(key);
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** True when `line` is `<file>: <path>…: …` with the path given whole (or a field inside it). */
function names(line: string, file: string, field: string): boolean {
  const prefix = `${file}: `;
  if (!line.startsWith(prefix)) return false;
  if (field === '') return true;
  const rest = line.slice(prefix.length);
  return rest.startsWith(field) && [':', '.', '['].includes(rest[field.length] ?? '');
}

interface Drawn {
  index: number;
  seed: number;
  file: string;
  mutation: string;
  mutant: Mutant;
}

/** The `index`-th case of the run: its own seed, a valid suite, one mutation. */
function draw(index: number): Drawn {
  const seed = deriveSeed(SEED, index);
  const r = new Random(seed);
  const file = r.pick(FILES);
  for (let attempt = 0; attempt < 20; attempt++) {
    const suite = validSuite(r, deps);
    if (!accepts(suite)) continue; // e.g. io and device disagree: draw again
    for (let tries = 0; tries < 10; tries++) {
      const mutation = r.pick(Object.keys(MUTATIONS));
      const mutant = MUTATIONS[mutation]!(r, structuredClone(suite), deps);
      if (mutant) return { index, seed, file, mutation, mutant };
    }
  }
  throw new Error(`case ${index} (seed ${seed}): no valid suite drawn; the generator needs fixing`);
}

function accepts(suite: Json): boolean {
  try {
    expandSuite(resolveSuite(suite, deps, 'base'), deps);
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with how the suite was refused, or undefined when all is well. */
function verdict(d: Drawn): string | undefined {
  let error: unknown;
  try {
    expandSuite(resolveSuite(d.mutant.value, deps, d.file), deps, { source: d.file });
    return 'accepted';
  } catch (e) {
    error = e;
  }
  if (!(error instanceof HvbError)) return `threw ${String((error as Error)?.stack ?? error)}`;
  if (error.code !== 'suite-invalid') return `code ${error.code}`;
  const lines = error.message.split('\n');
  const field = fieldPath(d.mutant.path);
  if (lines.some((l) => !l.startsWith(`${d.file}: `))) return `a line does not start with the file: ${short(error.message)}`;
  if (!lines.some((l) => names(l, d.file, field))) return `no line names ${field || 'the suite'}: ${short(error.message)}`;
  if (/\n\s+at /.test(error.message)) return 'a stack trace in the message';
  if (error.message.length > 100_000) return `a message of ${error.message.length} characters`;
  return undefined;
}

function short(text: string): string {
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

function report(d: Drawn, problem: string): string {
  return `case ${d.index} (seed ${d.seed}, run seed ${SEED}) ${d.mutation}: ${d.mutant.note}: ${problem}`;
}

describe(`malformed suites (seed ${SEED})`, () => {
  it(`refuses ${CASES} generated suites with the file and the field`, () => {
    const failures: string[] = [];
    const used = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const d = draw(i);
      used.set(d.mutation, (used.get(d.mutation) ?? 0) + 1);
      const problem = verdict(d);
      if (problem) failures.push(report(d, problem));
    }
    expect(failures, `seed ${SEED}`).toEqual([]);
    // Every kind of damage was tried, several times.
    for (const name of Object.keys(MUTATIONS)) expect(used.get(name) ?? 0, name).toBeGreaterThanOrEqual(5);
  });

  it('draws valid suites before breaking them (the generator is sound)', () => {
    const r = new Random(SEED);
    let valid = 0;
    for (let i = 0; i < 100; i++) if (accepts(validSuite(r, deps))) valid++;
    expect(valid).toBeGreaterThan(80);
  });

  it('says what an odd value is', () => {
    const received = (value: unknown) => {
      try {
        resolveSuite({ name: value, workloads: [{ workload: 'boot' }] }, deps, FILES[0]);
      } catch (e) {
        return (e as Error).message.replace(/^.*, received /, '');
      }
      return 'accepted';
    };
    expect([null, () => 1, Symbol('odd'), 10n, NaN, -Infinity, [], -0, 'x'.repeat(100)].map(received)).toEqual([
      'null',
      'a function',
      'a symbol (Symbol(odd))',
      '10n',
      'NaN',
      '-Infinity',
      '[]',
      '0',
      `"${'x'.repeat(37)}"…`,
    ]);
  });

  it('replays a case from its seed', () => {
    const a = draw(7);
    const b = draw(7);
    expect(b.mutation).toBe(a.mutation);
    expect(b.mutant.note).toBe(a.mutant.note);
  });
});

describe(`malformed suite files through the CLI (seed ${SEED})`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hvbench-fuzz-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`exits 2 naming the file and field, without a stack trace, for ${CLI_CASES} files`, { timeout: 180_000 }, async () => {
    // Cases whose suite can be written as a file (no cycles, not thousands of values).
    const files: { d: Drawn; file: string; text: string }[] = [];
    for (let i = CASES; files.length < CLI_CASES && i < CASES + 2000; i++) {
      const d = draw(i);
      const text = toSource(d.mutant.value);
      if (text === undefined || text.length > 200_000) continue;
      const file = path.join(dir, `case-${i}.ts`);
      files.push({ d, file, text: `export default ${text};\n` });
    }
    expect(files.length).toBe(CLI_CASES);
    const failures: string[] = [];
    const queue = [...files];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { d, file, text } = next;
        await writeFile(file, text);
        const r = await hvbench(['list', file], { timeoutMs: 120_000 });
        const field = fieldPath(d.mutant.path);
        const lines = r.stderr.replace(/^hvbench: /, '').split('\n');
        const problem =
          r.exitCode !== 2
            ? `exit code ${r.exitCode}`
            : /^\s+at /m.test(r.stderr)
              ? 'a stack trace'
              : !r.stderr.startsWith(`hvbench: ${file}: `)
                ? 'stderr does not start with the file'
                : field && !lines.some((l) => names(l, file, field))
                  ? `no line names ${field}`
                  : undefined;
        if (problem) failures.push(report(d, `${problem}: ${short(r.stderr)}`));
      }
    };
    await Promise.all(Array.from({ length: Math.max(2, os.availableParallelism()) }, worker));
    expect(failures, `seed ${SEED}`).toEqual([]);
  });
});
