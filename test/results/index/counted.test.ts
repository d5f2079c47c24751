import { describe, expect, it } from 'vitest';
import { countRuns, type FolderEntry } from '../../../src/results/index/counted.ts';

const entry = (dir: string, id?: string, more: Partial<FolderEntry> = {}): FolderEntry => ({ dir, ...(id ? { id } : {}), mergedShards: [], ...more });

describe('the runs that count', () => {
  it('leaves out refused folders, copies and merged shards, each with a warning in folder order', async () => {
    const entries = [
      entry('r/a', 'run-a'),
      entry('r/b', undefined, { error: 'r/b: skipped: run.json: not readable as JSON' }),
      entry('r/c', 'run-a'),
      entry('r/d', 'shard-1'),
      entry('r/e', 'merged', { mergedShards: ['shard-1', 'shard-2'] }),
      entry('r/f', 'broken', { error: 'r/f: skipped: samples.jsonl line 1' }),
      entry('r/g', 'bad-suite'),
      entry('r/h', 'shard-2'),
    ];
    const asked: string[] = [];
    const { runs, warnings } = await countRuns(entries, async (e, warn) => {
      asked.push(e.dir);
      warn(`${e.dir}: a warning of its samples`);
      if (e.id === 'bad-suite') throw new Error('thresholds: expected a number');
      return e.id;
    });
    expect(runs).toEqual(['run-a', 'merged']);
    expect(asked).toEqual(['r/a', 'r/d', 'r/e', 'r/g', 'r/h']);
    expect(warnings).toEqual([
      'r/a: a warning of its samples',
      'r/b: skipped: run.json: not readable as JSON',
      'r/c: skipped: the same run id run-a as r/a (a copy?); a run counts once',
      'r/d: a warning of its samples',
      'r/e: a warning of its samples',
      'r/f: skipped: samples.jsonl line 1',
      'r/g: a warning of its samples',
      'r/g: skipped: thresholds: expected a number',
      'r/h: a warning of its samples',
      'r/d: skipped: a shard of the merged run merged, whose samples count',
      'r/h: skipped: a shard of the merged run merged, whose samples count',
    ]);
  });
});
