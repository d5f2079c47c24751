import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../../guest/fs-atomic.ts';

/**
 * libvirt-kvm's canary verdicts, kept as the kvm backend keeps its own: one file per host,
 * connection and image in `<cache>/libvirt-kvm-canary/<key>.json`. The key covers what the
 * verdict depends on (the host's name and kernel, the connection URI, libvirt's and its
 * QEMU's versions, the image hash), so a change to any of them boots a new canary;
 * `hvbench doctor --recheck` forces one. Only what describes the host is kept: a canary that
 * booted, and one that did not reach its agent.
 */
export interface LibvirtCanaryFingerprint {
  host: string;
  hostKernel: string;
  uri: string;
  libvirt: string;
  hypervisor: string;
  image: string;
}

export interface CachedLibvirtCanary {
  fingerprint: LibvirtCanaryFingerprint;
  /** Undefined: the canary booted; else why KVM domains cannot boot Linux guests. */
  broken?: string;
  checkedAt: string;
}

export const LIBVIRT_CANARY_CACHE_DIR = 'libvirt-kvm-canary';

const fingerprintSchema = z.object({
  host: z.string(),
  hostKernel: z.string(),
  uri: z.string(),
  libvirt: z.string(),
  hypervisor: z.string(),
  image: z.string(),
});
const cachedSchema = z.object({ fingerprint: fingerprintSchema, broken: z.string().optional(), checkedAt: z.string() });

/** The fields in a fixed order, so the key does not depend on how the object was built. */
const fields = (f: LibvirtCanaryFingerprint) => JSON.stringify([f.host, f.hostKernel, f.uri, f.libvirt, f.hypervisor, f.image]);

export function libvirtCanaryCachePath(cacheDir: string, fingerprint: LibvirtCanaryFingerprint): string {
  const key = createHash('sha256').update(fields(fingerprint)).digest('hex').slice(0, 24);
  return join(cacheDir, LIBVIRT_CANARY_CACHE_DIR, `${key}.json`);
}

/** The cached verdict for exactly this fingerprint, or undefined (missing, unreadable, or another fingerprint). */
export async function readLibvirtCanary(cacheDir: string, fingerprint: LibvirtCanaryFingerprint): Promise<CachedLibvirtCanary | undefined> {
  const parsed = cachedSchema.safeParse(await readJsonFile(libvirtCanaryCachePath(cacheDir, fingerprint)));
  if (!parsed.success || fields(parsed.data.fingerprint) !== fields(fingerprint)) return undefined;
  return parsed.data;
}

export async function writeLibvirtCanary(cacheDir: string, entry: CachedLibvirtCanary): Promise<void> {
  await writeFileAtomic(libvirtCanaryCachePath(cacheDir, entry.fingerprint), `${JSON.stringify(entry, null, 2)}\n`);
}
