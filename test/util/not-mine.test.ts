import { describe, expect, it } from 'vitest';
import { myUid, notMine } from '../../src/util/not-mine.ts';

describe('notMine', () => {
  it('is silent for the user running hvbench and names the owner otherwise', () => {
    const me = myUid()!;
    expect(notMine(me)).toBeUndefined();
    expect(notMine(me + 1)).toBe(`belongs to user ${me + 1}, not to the user running hvbench (${me})`);
  });
});
