import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../../guest/fs-atomic.ts';
import { CANARY_VERDICT_KINDS, type CanaryVerdict } from './kvm-verdict.ts';

/**
 * Canary verdicts are kept in the hvbench cache (on the machine hvbench runs on, next to
 * the images), one file per host and image: `<cache>/kvm-canary/<key>.json`. The key
 * covers everything the verdict depends on — the host's name and kernel, its KVM module,
 * QEMU's version and binary, the CPU model and machine asked for, and the image hash — so
 * a changed host or image boots a new canary by itself; `hvbench doctor --recheck` forces one.
 */
export interface CanaryFingerprint {
  host: string;
  hostKernel: string;
  kvmModules: string;
  qemu: string;
  qemuBinary: string;
  cpu: string;
  machine: string;
  image: string;
}

export interface CachedCanary {
  fingerprint: CanaryFingerprint;
  /** Every canary boot tried (the CPU fallback may take two); the last one is the verdict. */
  verdicts: CanaryVerdict[];
  checkedAt: string;
}

export const CANARY_CACHE_DIR = 'kvm-canary';

const verdictSchema = z.object({
  kind: z.enum(CANARY_VERDICT_KINDS),
  detail: z.string(),
  cpu: z.string(),
  elapsedMs: z.number(),
  msr: z.string().optional(),
  guest: z.object({ hypervisor: z.string().optional(), clocksource: z.string().optional() }).optional(),
});
const cachedSchema = z.object({
  fingerprint: z.object({
    host: z.string(),
    hostKernel: z.string(),
    kvmModules: z.string(),
    qemu: z.string(),
    qemuBinary: z.string(),
    cpu: z.string(),
    machine: z.string(),
    image: z.string(),
  }),
  verdicts: z.array(verdictSchema).min(1),
  checkedAt: z.string(),
});

export function canaryCachePath(cacheDir: string, fingerprint: CanaryFingerprint): string {
  const key = createHash('sha256')
    .update(JSON.stringify(fingerprintFields(fingerprint)))
    .digest('hex')
    .slice(0, 24);
  return join(cacheDir, CANARY_CACHE_DIR, `${key}.json`);
}

/** The cached verdict for exactly this fingerprint, or undefined (missing, unreadable, or another fingerprint). */
export async function readCachedCanary(cacheDir: string, fingerprint: CanaryFingerprint): Promise<CachedCanary | undefined> {
  const parsed = cachedSchema.safeParse(await readJsonFile(canaryCachePath(cacheDir, fingerprint)));
  if (!parsed.success) return undefined;
  const same = JSON.stringify(fingerprintFields(parsed.data.fingerprint)) === JSON.stringify(fingerprintFields(fingerprint));
  return same ? (parsed.data as CachedCanary) : undefined;
}

export async function writeCachedCanary(cacheDir: string, entry: CachedCanary): Promise<void> {
  await writeFileAtomic(canaryCachePath(cacheDir, entry.fingerprint), `${JSON.stringify(entry, null, 2)}\n`);
}

/** The fields in a fixed order, so the key does not depend on how the object was built. */
function fingerprintFields(f: CanaryFingerprint): string[] {
  return [f.host, f.hostKernel, f.kvmModules, f.qemu, f.qemuBinary, f.cpu, f.machine, f.image];
}
