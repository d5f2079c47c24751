import { createHash } from 'node:crypto';
import { z } from 'zod';
import { HvbError } from '../util/errors.ts';
import type { Recipe, RecipeProgram, RecipeTool } from './image.ts';

/**
 * Workload tools the guest can carry: the Debian package, the programs copied from it, and
 * the initramfs segment they ship in (none: the base archive every guest boots). Adding one
 * to the image is one line in DEFAULT_RECIPE.tools.
 */
export const TOOLS = {
  sysbench: { package: 'sysbench', binaries: ['/usr/bin/sysbench'], segment: 'sysbench' },
  fio: { package: 'fio', binaries: ['/usr/bin/fio'], segment: 'fio' },
  iperf3: { package: 'iperf3', binaries: ['/usr/bin/iperf3'], segment: 'net' },
  stressNg: { package: 'stress-ng', binaries: ['/usr/bin/stress-ng'], segment: 'stress-ng' },
  sockperf: { package: 'sockperf', binaries: ['/usr/bin/sockperf'], segment: 'net' },
  rtTests: { package: 'rt-tests', binaries: ['/usr/bin/cyclictest', '/usr/bin/hackbench'], segment: 'rt-tests' },
} as const satisfies Record<string, RecipeTool>;

/** hvbench's own guest programs (C sources in src/guest/micro/). */
export const PROGRAMS = {
  micro: { name: 'hvb-micro', source: 'hvb-micro.c', segment: 'micro' },
} as const satisfies Record<string, RecipeProgram>;

/**
 * Drivers for every I/O model of every backend: virtio (over PCI and MMIO), emulated
 * IDE/AHCI/NVMe/NICs, Xen PV; the shared-folder clients (9p, virtiofs: 9pnet, netfs and fuse
 * follow as dependencies) and ext4.
 */
export const GUEST_MODULES = [
  'virtio_pci',
  'virtio_mmio',
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
  // Shared folders and the file system of the shared-filesystem workload's block reference.
  '9p',
  '9pnet_virtio',
  'virtiofs',
  'ext4',
  // ext4 asks the crypto API for crc32c at mount (metadata checksums); no modinfo dependency names it.
  'crc32c_generic',
];

export const DEFAULT_RECIPE: Recipe = {
  kernel: 'linux-image-amd64',
  busybox: 'busybox-static',
  modules: GUEST_MODULES,
  tools: [TOOLS.sysbench, TOOLS.fio, TOOLS.stressNg, TOOLS.rtTests, TOOLS.iperf3, TOOLS.sockperf],
  programs: [PROGRAMS.micro],
  base: ['libc6', 'libgcc-s1'],
  alwaysLibs: ['libgcc_s.so.1'],
};

const packageName = z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, 'a Debian package name');
const guestPath = z.string().regex(/^\/[^\0]*[^/]$/, 'an absolute path to a file');
const segmentName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a segment name ([a-z0-9-], at most 32)');
const commandName = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'a command name');

export const recipeSchema = z.strictObject({
  kernel: packageName,
  busybox: packageName,
  modules: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'a kernel module name')),
  tools: z.array(z.strictObject({ package: packageName, binaries: z.array(guestPath).min(1), segment: segmentName.optional() })),
  programs: z.array(z.strictObject({ name: commandName, source: z.string().regex(/^[A-Za-z0-9_.-]+\.c$/, 'a C source file name'), segment: segmentName })),
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

export const commandOf = (binary: string) => binary.slice(binary.lastIndexOf('/') + 1);

/**
 * Command names of the tools in one part of the image — the base (`segment` undefined) or
 * a named segment — in recipe order without repeats; `'all'` for every part.
 */
export function toolCommands(recipe: Recipe, segment?: string | 'all'): string[] {
  const inPart = (s: string | undefined) => segment === 'all' || s === segment;
  const names = [
    ...recipe.tools.filter((t) => inPart(t.segment)).flatMap((t) => t.binaries.map(commandOf)),
    ...recipe.programs.filter((p) => inPart(p.segment)).map((p) => p.name),
  ];
  return [...new Set(names)];
}

/** Segment names in recipe order (tools first, then programs), without repeats. */
export function segmentNames(recipe: Recipe): string[] {
  const names = [...recipe.tools.flatMap((t) => (t.segment ? [t.segment] : [])), ...recipe.programs.map((p) => p.segment)];
  return [...new Set(names)];
}

/** Canonical text of a recipe: same recipe, same text, whatever the key order it was written in. */
export function canonicalRecipe(recipe: Recipe): string {
  return JSON.stringify({
    kernel: recipe.kernel,
    busybox: recipe.busybox,
    modules: recipe.modules.map(moduleName),
    tools: recipe.tools.map((t) => ({ package: t.package, binaries: [...t.binaries], ...(t.segment ? { segment: t.segment } : {}) })),
    programs: recipe.programs.map((p) => ({ name: p.name, source: p.source, segment: p.segment })),
    base: [...recipe.base],
    alwaysLibs: [...recipe.alwaysLibs],
  });
}

export function recipeHash(recipe: Recipe): string {
  return createHash('sha256').update(canonicalRecipe(recipe)).digest('hex').slice(0, 16);
}
