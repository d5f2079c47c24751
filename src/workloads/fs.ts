import { z } from 'zod';
import { SHARE_KINDS } from '../devices/models.ts';
import type { Dims } from '../results/sample.ts';
import { HvbError } from '../util/errors.ts';
import { FIO_JOBS, fioHostCost, fioJobSteps, fioMetricDefs, fioMetricValues, fioStepWork } from './fio-jobs.ts';
import { HOST_CPU_PER_GIB } from './host-metrics.ts';
import { intParam } from './int-params.ts';
import type { GuestStep, StepOutput, Workload, WorkloadContext } from './workload.ts';

/** 9p's largest message Linux's virtio transport takes (6.1: 125 pages), and what hvbench mounts with when not told. */
export const MAX_9P_MSIZE = 512_000;
export const DEFAULT_9P_MSIZE = 262_144;

const params = z
  .strictObject({
    /** How the files reach the guest: `virtiofs` (default), `9p`, or `block` (ext4 on a virtio-blk scratch disk, the reference). */
    share: z.enum(SHARE_KINDS).default('virtiofs'),
    /** Size of the file fio works on, in MiB. */
    sizeMiB: intParam(16, 65_536, 256),
    /** Seconds each of the four fio jobs runs. */
    runtimeSec: intParam(1, 600, 5),
    /** I/O queue depth of every job (fio --iodepth, libaio). */
    queueDepth: intParam(1, 1024, 16),
    /** 9p only: the largest message in bytes (`mount -o msize=`); absent: 256 KiB. */
    msize: z.number().int().min(4096).max(MAX_9P_MSIZE).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.msize !== undefined && p.share !== '9p') {
      ctx.addIssue({ code: 'custom', path: ['msize'], message: `msize is the 9p mount's message size; share "${p.share}" has none` });
    }
  });

type FsParams = z.output<typeof params>;

/** Where the guest mounts the share or the block reference's file system. */
export const FS_MOUNT_POINT = '/mnt/hvb-fs';
const FILE_NAME = 'hvb-fio.dat';
/** The scratch disk of `block` holds the file and ext4's own room (journal, inode tables, reserved blocks). */
export const blockDiskMiB = (sizeMiB: number) => sizeMiB + 64 + Math.ceil(sizeMiB / 8);

/**
 * The folder the file work runs in: the mount point, or on native the host folder itself,
 * which the run has open as @disk (the agent's /proc/1/fd/9).
 */
function workDir(share: WorkloadContext['share']): string {
  return share?.model === 'host-dir' ? '@disk' : FS_MOUNT_POINT;
}

/** How the guest mounts what the case got: by tag for a share, the scratch disk for `block`; nothing on native. */
function mountSteps(p: FsParams, share: WorkloadContext['share']): GuestStep[] {
  if (share === undefined) throw new HvbError('invalid-argument', 'the fs workload needs the shared folder of its case (the runner sets it up)');
  if (share.model === 'host-dir') return [];
  const target = share.model === 'block' ? '@disk' : share.tag;
  if (target === undefined) throw new HvbError('invalid-argument', `the ${share.model} share of an fs case has no mount tag`);
  const how: Record<string, string[]> = {
    virtiofs: ['-t', 'virtiofs'],
    '9p': ['-t', '9p', '-o', `trans=virtio,version=9p2000.L,msize=${p.msize ?? DEFAULT_9P_MSIZE}`],
    block: ['-t', 'ext4'],
  };
  const options = how[share.model];
  if (options === undefined) throw new HvbError('invalid-argument', `the fs workload cannot mount a ${share.model} share`);
  return [
    { id: 'mkdir', argv: ['mkdir', '-p', FS_MOUNT_POINT] },
    { id: 'mount', argv: ['mount', ...options, target, FS_MOUNT_POINT] },
  ];
}

/** File system magic numbers (statfs f_type, as busybox `stat -f -c %t` prints them) of the file systems a folder is likely on. */
const FS_MAGIC: Record<string, string> = {
  ef53: 'ext2/ext3/ext4',
  '58465342': 'xfs',
  '9123683e': 'btrfs',
  '1021994': 'tmpfs',
  '858458f6': 'ramfs',
  '794c7630': 'overlay',
  '1021997': '9p',
  '65735546': 'fuse',
  '2fc12fc1': 'zfs',
  '6969': 'nfs',
};

/**
 * The file system the job worked on: the type /proc/mounts gives the mount point (`virtiofs`,
 * `9p`, `ext4`), else, on native where the folder is not mounted in the run's namespace, the
 * name of its statfs magic number.
 */
export function observedFs(outputs: readonly StepOutput[]): string | undefined {
  const mounts = outputs.find((o) => o.id === 'mounts')?.output ?? '';
  for (const line of mounts.split('\n')) {
    const [, point, type] = line.trim().split(/\s+/);
    if (point === FS_MOUNT_POINT && type !== undefined) return type;
  }
  const magic = outputs
    .find((o) => o.id === 'fs-magic')
    ?.output.trim()
    .toLowerCase();
  if (magic === undefined || !/^[0-9a-f]{1,8}$/.test(magic)) return undefined;
  return FS_MAGIC[magic] ?? `magic 0x${magic}`;
}

/**
 * fio file work on a host folder shared into the guest (virtiofs, 9p), against the same work
 * on the guest's own ext4 on a virtio-blk scratch disk (`block`); native works in the host
 * folder itself. The jobs are the disk workload's, on one file of `sizeMiB` laid out first:
 * O_DIRECT in the guest, its caches dropped before each job. The host side differs by nature
 * and is part of what is compared: virtiofsd and QEMU's 9p server go through the host's page
 * cache, the block disk is opened with O_DIRECT (cache=none). See docs/decisions.md.
 */
export const fs: Workload<typeof params> = {
  name: 'fs',
  description: 'fio on a file in a shared folder (virtiofs, 9p) or on ext4 on a virtio-blk disk',
  params,
  tools: ['fio'],
  metrics: [...fioMetricDefs('fs', 'file '), HOST_CPU_PER_GIB],
  devices: (p) => ({
    share: { kind: p.share },
    ...(p.share === 'block' ? { disk: { io: 'paravirtual' as const, sizeMiB: blockDiskMiB(p.sizeMiB) } } : {}),
  }),
  // The layout writes the file once; each job: its runtime plus fio's start-up and the cache drop, slow under emulation.
  expectedSeconds: (p) => 10 + Math.ceil(p.sizeMiB / 8) + FIO_JOBS.length * (p.runtimeSec + 4),
  command: (p, context) => {
    const dir = workDir(context?.share);
    const file = `${dir}/${FILE_NAME}`;
    return {
      steps: [
        ...mountSteps(p, context?.share),
        { id: 'mounts', argv: ['cat', '/proc/mounts'] },
        { id: 'fs-magic', argv: ['stat', '-f', '-c', '%t', dir] },
        { id: 'layout', argv: ['fio', '--name=layout', `--filename=${file}`, `--size=${p.sizeMiB}M`, '--create_only=1'] },
        ...fioJobSteps({ filename: file, sizeMiB: p.sizeMiB }, p),
      ],
      // ext4 finds crc32c through the crypto API, which no module dependency names.
      ...(context?.share?.model === 'block' ? { modules: ['crc32c_generic', 'ext4'] } : {}),
    };
  },
  parse: (outputs) => fioMetricValues('fs', outputs),
  stepWork: () => fioStepWork('fs'),
  hostCost: (outputs, cost) => fioHostCost(outputs, cost),
  observedDims(outputs): Dims {
    const found = observedFs(outputs);
    return found === undefined ? {} : { share_fs: found };
  },
};
