import type { Dims } from '../results/sample.ts';
import { CLOCK_DRIFT_METRIC } from './sanity-drift.ts';

/**
 * Why a guest may beat native on a figure, by the class of the figure (its metric's family:
 * disk, cpu, memory, micro, net, boot, host). What the facts of the two sides show is named
 * (the cache mode, the size of the working set, a reference host that is itself a virtual
 * machine, a guest that sees no hypervisor because its CPU is emulated, different kernels);
 * the rest are the causes to rule out, most likely first. The words are for a person
 * deciding whether to trust the figure, so each names what to check.
 */

export interface CauseContext {
  metric: string;
  /** The guest's variant (`tcg`, `kvm`, `xen pvh`). */
  variant: string;
  reference: string;
  /** The matched dimensions of the guest's series (its parameters). */
  dims: Dims;
  /** Facts and provenance seen on each side (`guest_hypervisor`, `guest_kernel`, …). */
  guest: Readonly<Record<string, readonly string[]>>;
  referenceFacts: Readonly<Record<string, readonly string[]>>;
}

export function likelyCauses(ctx: CauseContext): string[] {
  const family = ctx.metric.slice(0, Math.max(0, ctx.metric.indexOf('.'))) || ctx.metric;
  const byFamily = FAMILY_CAUSES[family] ?? otherCauses;
  return byFamily(ctx);
}

const one = (facts: Readonly<Record<string, readonly string[]>>, dim: string): string | undefined => (facts[dim]?.length === 1 ? facts[dim][0] : undefined);

/** The hypervisor the reference host runs under, when it is a virtual machine itself. */
function referenceHypervisor(ctx: CauseContext): string | undefined {
  const hv = one(ctx.referenceFacts, 'guest_hypervisor');
  return hv === undefined || hv === 'none' || hv === '' ? undefined : hv;
}

/** A guest that sees no hypervisor runs on an emulated CPU: nothing it does traps. */
function emulated(ctx: CauseContext): boolean {
  return one(ctx.guest, 'guest_hypervisor') === 'none';
}

function clockCause(): string {
  return `the guest's clock: the guest times its own figures, and a clock running slow makes rates read high and durations short (a clock-drift flag, or ${CLOCK_DRIFT_METRIC}, says by how much)`;
}

function kernelCause(ctx: CauseContext): string | undefined {
  const a = one(ctx.referenceFacts, 'guest_kernel');
  const b = one(ctx.guest, 'guest_kernel');
  if (a === undefined || b === undefined || a === b) return undefined;
  return `different kernels and tool builds: ${ctx.reference} ran on the host's kernel ${a}, ${ctx.variant} on the guest's ${b}; a kernel's defaults (scheduler, mitigations, page-cache policy) move these figures`;
}

function disk(ctx: CauseContext): string[] {
  const cache = ctx.dims['param.cache'] === undefined ? undefined : String(ctx.dims['param.cache']);
  const size = ctx.dims['param.sizeMiB'];
  const hv = referenceHypervisor(ctx);
  const out: string[] = [];
  if (cache === 'writeback' || cache === 'unsafe')
    out.push(
      `the host's page cache: ${ctx.variant}'s disk uses cache=${cache}, so its reads and writes are served from the host's memory, while ${ctx.reference}'s fio opens its file with O_DIRECT; measure with cache=none (or directsync) to compare devices`,
    );
  else
    out.push(
      `a cache below both sides: ${ctx.variant}'s disk opens its file with O_DIRECT (cache=${cache ?? 'none'}) and ${ctx.reference}'s fio uses O_DIRECT, yet ${hv ? `this host is itself a virtual machine (${hv}): its disk is a file or volume of the hypervisor below, whose page cache serves both sides as it pleases` : `the device's own cache or a RAID/volume cache still serves both sides`}; the two sides' requests (size, merging, queue depth) reach it in different patterns`,
    );
  out.push(
    `a working set${size === undefined ? '' : ` of ${size} MiB`} small enough to stay in those caches: repeat with a size several times the host's RAM (or the device's cache) and the figures measure the disk`,
  );
  out.push(clockCause());
  return out;
}

function cpu(ctx: CauseContext): string[] {
  const out = [
    clockCause(),
    `CPU frequency: turbo, or a governor that raises the clock under load, ran one side faster (the host state in the report's methodology says what was set; hvbench run --stabilize sets the governor to performance and turns turbo off)`,
  ];
  const k = kernelCause(ctx);
  if (k) out.push(k);
  return out;
}

function memory(ctx: CauseContext): string[] {
  return [
    ...cpu(ctx),
    `transparent huge pages: QEMU asks for huge pages for guest RAM, so the guest's buffers may sit on 2 MiB pages (fewer TLB misses) while ${ctx.reference}'s do not (THP madvise)`,
  ];
}

function micro(ctx: CauseContext): string[] {
  const hv = referenceHypervisor(ctx);
  const op = ctx.metric.replace(/^micro\./, '').replace(/_(ns|us)$/, '');
  const out: string[] = [];
  if (emulated(ctx))
    out.push(
      `${ctx.variant} emulates the CPU (the guest sees no hypervisor): its translator runs ${op} as a helper call in the QEMU process, without a trap or a VM exit${hv ? `, while ${ctx.reference} runs on a host that is itself a virtual machine (${hv}), where ${op} can trap to that hypervisor` : ''}`,
    );
  else if (hv)
    out.push(
      `${ctx.reference} runs on a host that is itself a virtual machine (${hv}): ${op} can trap there to the hypervisor below, while ${ctx.variant}'s guest may execute it without an exit`,
    );
  out.push(clockCause());
  return out;
}

function net(ctx: CauseContext): string[] {
  return [
    `a different path: ${ctx.reference} may move data over the host's loopback, the guest over its NIC with offloads (TSO/GSO) that send larger segments`,
    clockCause(),
  ];
}

function boot(ctx: CauseContext): string[] {
  return [
    `a different start: ${ctx.reference} has no boot, its figure is the agent's start in a root unpacked from the image, which a cold file cache or an unpack on the first repetition lengthens`,
    clockCause(),
  ];
}

function host(ctx: CauseContext): string[] {
  return [
    `a different accounting: ${ctx.reference}'s figure is the workload's own process tree, a guest's the whole VMM; a guest job timed by a slow guest clock (or one that waited on I/O) also costs less host time`,
    clockCause(),
  ];
}

function otherCauses(ctx: CauseContext): string[] {
  const out = [clockCause(), `a setup that differs between the sides beyond the variant: compare the two sides' facts and parameters`];
  const k = kernelCause(ctx);
  if (k) out.push(k);
  return out;
}

const FAMILY_CAUSES: Readonly<Record<string, (ctx: CauseContext) => string[]>> = {
  disk,
  cpu,
  memory,
  stream: memory,
  micro,
  net,
  boot,
  host,
};
