import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defaultCacheDir } from '../guest/cache.ts';
import { writeFileAtomic } from '../guest/fs-atomic.ts';
import type { HostConfig } from '../hosts/host.ts';
import { processArgv, processGone, processStart } from '../util/proc.ts';
import { LAB_NAMES, type LabName } from './recipe.ts';

/** The host name and the backends each lab offers. */
export const LAB_HOSTS: Record<LabName, { host: string; backends: string[] }> = {
  kvm: { host: 'lab-kvm', backends: ['kvm', 'tcg', 'native'] },
  xen: { host: 'lab-xen', backends: ['xen'] },
};

/** Where labs keep their state: `$HVBENCH_LABS`, else `$HVBENCH_CACHE/labs` (or the default cache folder's). */
export function defaultLabStateRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.HVBENCH_LABS || join(defaultCacheDir(env), 'labs');
}

/** Files of one lab's private folder (mode 0700). */
export function labPaths(stateRoot: string, lab: LabName) {
  const dir = join(stateRoot, lab);
  return {
    dir,
    state: join(dir, 'state.json'),
    identityFile: join(dir, 'id_ed25519'),
    knownHosts: join(dir, 'known_hosts'),
    consoleLog: join(dir, 'console.log'),
    pidFile: join(dir, 'qemu.pid'),
    bootArchive: join(dir, 'boot.cpio.gz'),
    initrd: join(dir, 'initrd.cpio.gz'),
    scratchDisk: join(dir, 'scratch.raw'),
  };
}

export const labStateSchema = z.strictObject({
  format: z.literal(1),
  lab: z.enum(LAB_NAMES),
  variant: z.string().min(1),
  /** QEMU's pid and its start time in clock ticks since boot (so a recycled pid is never taken for it). */
  pid: z.number().int().positive(),
  pidStartTicks: z.number().int().nonnegative(),
  startedAt: z.string().min(1),
  /** Set once SSH answered. */
  readyAt: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535),
  identityFile: z.string().min(1),
  knownHostsFile: z.string().min(1),
  consoleLog: z.string().min(1),
  imageId: z.string().min(1),
  imageHash: z.string().min(1),
  kernelVersion: z.string().min(1),
  nonce: z.string().regex(/^[0-9a-f]{16,64}$/),
});

export type LabState = z.infer<typeof labStateSchema>;

/** The lab's state, or undefined when there is none or it cannot be read (a damaged file counts as none). */
export async function readLabState(stateRoot: string, lab: LabName): Promise<LabState | undefined> {
  let text: string;
  try {
    text = await readFile(labPaths(stateRoot, lab).state, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = labStateSchema.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.lab === lab ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writeLabState(stateRoot: string, state: LabState): Promise<void> {
  const parsed = labStateSchema.parse(state);
  await mkdir(labPaths(stateRoot, state.lab).dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(labPaths(stateRoot, state.lab).state, `${JSON.stringify(parsed, null, 2)}\n`);
}

export async function removeLabState(stateRoot: string, lab: LabName): Promise<void> {
  await rm(labPaths(stateRoot, lab).dir, { recursive: true, force: true });
}

/**
 * True while the QEMU the state names still runs: same pid, same start time, and its argv
 * still points into the lab's folder.
 */
export function labProcessAlive(state: Pick<LabState, 'pid' | 'pidStartTicks' | 'consoleLog'>): boolean {
  if (processGone(state.pid)) return false;
  if (processStart(state.pid) !== state.pidStartTicks) return false;
  return (processArgv(state.pid) ?? []).some((a) => a.includes(state.consoleLog));
}

/** How hvbench reaches a running lab: an ordinary SSH host on the loopback address. */
export function labHostConfig(state: LabState): HostConfig {
  const { host, backends } = LAB_HOSTS[state.lab];
  return {
    name: host,
    kind: 'lab',
    backends: [...backends],
    ssh: { address: '127.0.0.1', port: state.port, user: 'root', identityFile: state.identityFile, knownHostsFile: state.knownHostsFile },
  };
}
