import { describe, expect, it } from 'vitest';
import { checkCmdline, decodeJob, encodeJob, jobText, type Job } from '../../../src/guest/protocol/job.ts';

const nonce = '0123456789abcdef0123456789abcdef';

describe('job encoding', () => {
  it('round-trips through the kernel command line', () => {
    const job = {
      nonce,
      workload: 'cpu',
      command: { modules: ['virtio_blk'], steps: [{ id: 'cpu', argv: ['sysbench', 'cpu', '--threads=2', 'run'] }] },
    };
    const param = encodeJob(job);
    expect(param).toMatch(/^hvb\.jobz?=[A-Za-z0-9_-]+$/);
    expect(decodeJob(`quiet panic=-1 ${param} console=ttyS0`)).toEqual(job);
  });

  it('gzips a long job when that is shorter (a PV guest has 1023 bytes of command line), deterministically', () => {
    const fio = (id: string) => ({
      id,
      argv: [
        'fio',
        '--name=x',
        `--rw=${id}`,
        '--bs=4k',
        '--iodepth=32',
        '--direct=1',
        '--ioengine=libaio',
        '--runtime=3',
        '--time_based',
        '--output-format=json',
        '--filename=/dev/vda',
      ],
    });
    const long: Job = {
      nonce: 'a'.repeat(32),
      workload: 'disk',
      command: { modules: ['virtio_pci', 'virtio_blk'], steps: ['seqread', 'seqwrite', 'randread', 'randwrite'].map(fio) },
      probe: ['disk'],
    };
    const param = encodeJob(long);
    expect(param).toMatch(/^hvb\.jobz=[A-Za-z0-9_-]+$/);
    expect(param.length).toBeLessThan(Buffer.from(jobText(long)).toString('base64url').length / 2);
    expect(encodeJob(long)).toBe(param);
    expect(decodeJob(`quiet ${param}`)).toEqual(long);
  });

  it('carries the devices to probe, after the modules and before the steps', () => {
    const job = {
      nonce,
      workload: 'disk',
      command: { modules: ['virtio_pci', 'virtio_blk'], steps: [{ id: 'seqread', argv: ['fio', '--filename=@disk'] }] },
      probe: ['disk' as const],
    };
    expect(jobText(job)).toBe(`v 1\nnonce ${nonce}\nworkload disk\nmodules virtio_pci virtio_blk\nprobe disk\nstep seqread fio --filename=@disk\n`);
    expect(decodeJob(encodeJob(job))).toEqual(job);
    expect(() => jobText({ ...job, probe: ['floppy' as never] })).toThrow(/probe "floppy": expected one of disk, nic/);
  });

  it('writes the line format the agent reads', () => {
    const text = jobText({ nonce, workload: 'cpu', command: { steps: [{ id: 'a', argv: ['true'] }] } });
    expect(text).toBe(`v 1\nnonce ${nonce}\nworkload cpu\nstep a true\n`);
  });

  it('asks for the step frames of --count-events with a line of its own', () => {
    const job = { nonce, workload: 'cpu', command: { steps: [{ id: 'a', argv: ['true'] }] }, count: true };
    expect(jobText(job)).toBe(`v 1\nnonce ${nonce}\nworkload cpu\ncount\nstep a true\n`);
    expect(decodeJob(encodeJob(job))).toEqual(job);
  });

  it('carries the heartbeat period before the steps, and refuses one out of 1–3600 s', () => {
    const job = { nonce, workload: 'cpu', command: { steps: [{ id: 'a', argv: ['true'] }] }, aliveEveryS: 10 };
    expect(jobText(job)).toBe(`v 1\nnonce ${nonce}\nworkload cpu\nalive 10\nstep a true\n`);
    expect(decodeJob(encodeJob(job))).toEqual(job);
    for (const bad of [0, 1.5, 3601])
      expect(() => jobText({ ...job, aliveEveryS: bad })).toThrow(/alive every .* s: expected a whole number of seconds from 1 to 3600/);
  });

  it('carries the start barrier after the probes and before the steps, and reads it back', () => {
    const job = { nonce, workload: 'cpu', command: { steps: [{ id: 'a', argv: ['true'] }] }, probe: ['disk' as const], barrier: true };
    expect(jobText(job)).toBe(`v 1\nnonce ${nonce}\nworkload cpu\nprobe disk\nbarrier\nstep a true\n`);
    expect(decodeJob(encodeJob(job))).toEqual(job);
    expect(decodeJob(encodeJob({ ...job, barrier: false }))).not.toHaveProperty('barrier');
  });

  it("carries a counted job's end hold and reads it back", () => {
    const job = { nonce, workload: 'cpu', command: { steps: [{ id: 'a', argv: ['true'] }] }, count: true, hold: true };
    expect(jobText(job)).toBe(`v 1\nnonce ${nonce}\nworkload cpu\ncount\nhold\nstep a true\n`);
    expect(decodeJob(encodeJob(job))).toEqual(job);
    expect(decodeJob(encodeJob({ ...job, hold: false }))).not.toHaveProperty('hold');
  });

  it.each([
    ['a shell metacharacter', ['sh', '-c', 'reboot;']],
    ['a space inside a word', ['echo', 'a b']],
    ['a quote', ['echo', '"x"']],
    ['a dollar sign', ['echo', '$HOME']],
    ['an empty word', ['echo', '']],
    ['a newline', ['echo', 'a\nstep x reboot']],
  ])('refuses %s in an argv word', (_what, argv) => {
    expect(() => encodeJob({ nonce, workload: 'cpu', command: { steps: [{ id: 's', argv }] } })).toThrow(/cannot be passed to the guest/);
  });

  it('refuses a bad nonce, a bad step id and an empty command', () => {
    expect(() => encodeJob({ nonce: 'xyz', workload: 'cpu', command: { steps: [] } })).toThrow(/nonce/);
    expect(() => encodeJob({ nonce, workload: 'cpu', command: { steps: [{ id: 'A B', argv: ['x'] }] } })).toThrow(/step id/);
    expect(() => encodeJob({ nonce, workload: 'cpu', command: { steps: [{ id: 'a', argv: [] }] } })).toThrow(/empty command/);
  });

  it('rejects a command line over the x86 limit', () => {
    expect(() => checkCmdline('x'.repeat(2047))).not.toThrow();
    expect(() => checkCmdline('x'.repeat(2048))).toThrow(/2048 bytes|limit is 2047/);
  });

  it('reports a missing or foreign-version job', () => {
    expect(() => decodeJob('quiet')).toThrow(/no hvb\.job=/);
    const v2 = `hvb.job=${Buffer.from(`v 2\nnonce ${nonce}\n`).toString('base64url')}`;
    expect(() => decodeJob(v2)).toThrow(/job version 2/);
  });
});
