import { afterEach, describe, expect, it } from 'vitest';
import { markOwner, OWNER_ENV, ownerInEnviron, parseOwnerMark } from '../../../src/backends/common/owner.ts';
import { processStart } from '../../../src/util/proc.ts';

describe('the owner mark', () => {
  const before = process.env[OWNER_ENV];
  afterEach(() => {
    if (before === undefined) delete process.env[OWNER_ENV];
    else process.env[OWNER_ENV] = before;
  });

  it('names this process, pid and start time, for every VMM it starts to inherit', () => {
    markOwner();
    expect(process.env[OWNER_ENV]).toBe(`${process.pid}-${processStart(process.pid)}`);
    expect(parseOwnerMark(process.env[OWNER_ENV])).toEqual({ pid: process.pid, start: processStart(process.pid) });
  });

  it('is read from a process environment; anything else names no owner', () => {
    expect(ownerInEnviron(`PATH=/bin\0${OWNER_ENV}=1234-5555\0HOME=/root\0`)).toEqual({ pid: 1234, start: 5555 });
    expect(ownerInEnviron('PATH=/bin\0')).toBeUndefined();
    for (const bad of ['1234', '1234-', '-5555', '12a4-5555', '1234-5555-1', ' 1234-5555', '']) expect(parseOwnerMark(bad), bad).toBeUndefined();
    expect(ownerInEnviron(`X${OWNER_ENV}=1234-5555\0`)).toBeUndefined();
  });
});
