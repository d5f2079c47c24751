import { createHash } from 'node:crypto';
import { z } from 'zod';
import { HvbError } from '../util/errors.ts';
import type { Recipe, RecipeTool } from './image.ts';

/**
 * Workload tools the guest can carry: the Debian package and the programs copied from it.
 * Adding one to the image is one line in DEFAULT_RECIPE.tools.
 */
export const TOOLS = {
  sysbench: { package: 'sysbench', binaries: ['/usr/bin/sysbench'] },
  fio: { package: 'fio', binaries: ['/usr/bin/fio'] },
  iperf3: { package: 'iperf3', binaries: ['/usr/bin/iperf3'] },
  stressNg: { package: 'stress-ng', binaries: ['/usr/bin/stress-ng'] },
  sockperf: { package: 'sockperf', binaries: ['/usr/bin/sockperf'] },
  rtTests: { package: 'rt-tests', binaries: ['/usr/bin/cyclictest', '/usr/bin/hackbench'] },
} as const satisfies Record<string, RecipeTool>;

/** Drivers for every I/O model of every backend: virtio, emulated IDE/AHCI/NVMe/NICs, Xen PV. */
export const GUEST_MODULES = [
  'virtio_pci',
  'virtio_blk',
  'virtio_scsi',
  'virtio_net',
  'nvme',
  'ata_piix',
  'ahci',
  'sd_mod',
  'e1000',
  '8139cp',
  '8139too',
  'xen_blkfront',
  'xen_netfront',
];

export const DEFAULT_RECIPE: Recipe = {
  kernel: 'linux-image-amd64',
  busybox: 'busybox-static',
  modules: GUEST_MODULES,
  tools: [
    TOOLS.sysbench,
    // One line per tool, e.g. TOOLS.fio, TOOLS.iperf3, TOOLS.stressNg, TOOLS.sockperf, TOOLS.rtTests.
  ],
  base: ['libc6', 'libgcc-s1'],
  alwaysLibs: ['libgcc_s.so.1'],
};

const packageName = z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, 'a Debian package name');
const guestPath = z.string().regex(/^\/[^\0]*[^/]$/, 'an absolute path to a file');

export const recipeSchema = z.strictObject({
  kernel: packageName,
  busybox: packageName,
  modules: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'a kernel module name')),
  tools: z.array(z.strictObject({ package: packageName, binaries: z.array(guestPath).min(1) })),
  base: z.array(packageName),
  alwaysLibs: z.array(z.string().regex(/^[^/\0]+$/, 'a soname such as libgcc_s.so.1')),
});

/** Checks a recipe given by a caller; the message names the field that is wrong. */
export function validateRecipe(recipe: unknown): Recipe {
  const parsed = recipeSchema.safeParse(recipe);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(recipe)' : '(recipe)';
    throw new HvbError('recipe-invalid', `guest recipe: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** Kernel module names use `_`; file names and `depends=` may use `-` for the same module. */
export function moduleName(name: string): string {
  return name.replaceAll('-', '_');
}

/** Command names the guest offers, one per tool binary, in recipe order without repeats. */
export function toolCommands(recipe: Recipe): string[] {
  const names = recipe.tools.flatMap((t) => t.binaries.map((b) => b.slice(b.lastIndexOf('/') + 1)));
  return [...new Set(names)];
}

/** Canonical text of a recipe: same recipe, same text, whatever the key order it was written in. */
export function canonicalRecipe(recipe: Recipe): string {
  return JSON.stringify({
    kernel: recipe.kernel,
    busybox: recipe.busybox,
    modules: recipe.modules.map(moduleName),
    tools: recipe.tools.map((t) => ({ package: t.package, binaries: [...t.binaries] })),
    base: [...recipe.base],
    alwaysLibs: [...recipe.alwaysLibs],
  });
}

export function recipeHash(recipe: Recipe): string {
  return createHash('sha256').update(canonicalRecipe(recipe)).digest('hex').slice(0, 16);
}
