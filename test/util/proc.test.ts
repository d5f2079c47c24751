import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseStat, processArgv, processExists, processGone, processStart, readStat } from '../../src/util/proc.ts';
import { parseProcessGroup } from '../../src/util/proc-group.ts';

// /proc/<pid>/stat lines as Linux 6.x prints them; the command names hold spaces, ')' and ') ('.
const CAT = '1525 (cat) R 1523 1523 25624 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 576188 3133440 357 18446744073709551615';
const TIMES = '1234 (a b) c) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 30 700 90 20 0 1 0 5000 1000 100 18446744073709551615';
const QEMU =
  '4242 (qemu) (x86_64) S 1 4242 4242 0 -1 4194560 21843 0 0 0 828 49 0 0 20 0 5 0 123456 1234567168 50940 18446744073709551615 1 1 0 0 0 0 0 4096 17635 0 0 0 17 1 0 0 0 0 0\n';

describe('/proc/<pid>/stat', () => {
  it('reads the start time and state', () => {
    expect(parseStat(CAT)).toMatchObject({ startTicks: 576188, state: 'R' });
    expect(parseStat('12 (a) b) (c) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0')).toMatchObject({ startTicks: 42, state: 'S' });
    expect(parseStat('garbage')).toBeUndefined();
  });

  it('reads user, system and waited-for children times', () => {
    expect(parseStat(TIMES)).toMatchObject({ utime: 250, stime: 30, cutime: 700, cstime: 90 });
  });

  it('reads pid, command name, parent and process group after an awkward command name', () => {
    expect(parseStat(QEMU)).toEqual({
      pid: 4242,
      comm: 'qemu) (x86_64',
      state: 'S',
      ppid: 1,
      pgrp: 4242,
      utime: 828,
      stime: 49,
      cutime: 0,
      cstime: 0,
      startTicks: 123456,
    });
    expect(parseProcessGroup(QEMU)).toBe(4242);
    expect(parseProcessGroup('')).toBeUndefined();
    expect(parseProcessGroup('7 (x) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0')).toBeUndefined();
  });

  it('refuses text whose fields are not numbers or that stops before the start time', () => {
    expect(parseStat('1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0')).toBeUndefined();
    expect(parseStat('1 (x) S one 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42')).toBeUndefined();
    expect(parseStat('(x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42')).toBeUndefined();
  });
});

describe('live processes', () => {
  it('reads this process, and a child until it is reaped', async () => {
    expect(readStat(process.pid)).toMatchObject({ pid: process.pid, ppid: process.ppid, state: expect.stringMatching(/^[RS]$/) });
    expect(processStart(process.pid)).toBeGreaterThan(0);
    expect(processGone(process.pid)).toBe(false);
    expect(processArgv(process.pid)?.length).toBeGreaterThan(0);

    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = child.pid as number;
    await expect.poll(() => processArgv(pid)).toEqual(['sleep', '60']);
    expect(readStat(pid)).toMatchObject({ ppid: process.pid });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(processGone(pid)).toBe(true);
    expect(processStart(pid)).toBeUndefined();
    expect(processExists(pid)).toBe(false);
    expect(readStat(pid)).toBeUndefined();
  });
});
