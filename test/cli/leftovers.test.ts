import { describe, expect, it } from 'vitest';
import { describeSkipped, leftoverItems } from '../../src/cli/leftovers.ts';
import type { LeftoverReport } from '../../src/runner/leftovers.ts';

const empty: LeftoverReport = { backends: [], networks: [], runs: [], cacheTemps: [] };

describe('leftovers as doctor and clean print them', () => {
  it("a backend's leftover brings its facts, which never replace its kind and line", () => {
    const report: LeftoverReport = {
      ...empty,
      backends: [
        { kind: 'vm-folder', what: 'VM folder /tmp/hvbench-x', facts: { path: '/tmp/hvbench-x', kind: 'forged', what: 'forged' }, remove: async () => ({}) },
      ],
    };
    expect(leftoverItems(report)).toEqual([{ kind: 'vm-folder', what: 'VM folder /tmp/hvbench-x', path: '/tmp/hvbench-x' }]);
    expect(Object.keys(leftoverItems(report)[0]!)).toEqual(['kind', 'what', 'path']);
  });

  it('what is left alone, with the reason', () => {
    expect(describeSkipped(empty)).toEqual([]);
    expect(describeSkipped({ ...empty, skipped: [{ what: 'VM folder /tmp/hvbench-y', why: 'belongs to user 65534' }] })).toEqual([
      'VM folder /tmp/hvbench-y: belongs to user 65534',
    ]);
  });
});
