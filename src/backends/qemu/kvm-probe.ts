import type { GuestImage } from '../../guest/image.ts';
import { loadImage } from '../../guest/load.ts';
import type { Host } from '../../hosts/host.ts';
import { isHvbError } from '../../util/errors.ts';
import type { Capability, ProbeOptions } from '../common/backend.ts';
import { readCachedCanary, writeCachedCanary, type CanaryFingerprint, type CachedCanary } from './kvm-cache.ts';
import { runCanary } from './kvm-canary.ts';
import { cpuFallback, KVM_DEFAULT_CPU } from './kvm-cpu.ts';
import { gatherKvmHostEvidence, hostEvidenceFacts, KVM_DEVICE, kvmVendorModule, type KvmHostEvidence } from './kvm-host.ts';
import { CANARY_VERDICT_KINDS, classifyCanary, type CanaryVerdict } from './kvm-verdict.ts';
import { QEMU_DEFAULTS } from './argv.ts';
import { probeQemu } from './probe.ts';

export interface KvmProbeSettings {
  binary?: string;
  machine?: string;
  /** An explicit CPU model: used as it is, without the MSR fallback. */
  cpu?: string;
  /** hvbench's cache folder (verdicts and images). */
  cacheDir: string;
  canaryTimeoutMs?: number;
}

export interface KvmProbeResult {
  capability: Capability;
  /** The CPU model launches on this host use (the canary's, after any fallback). */
  cpu: string;
  vhostNet: boolean;
}

/** The verdicts that describe the host, not the moment (every one but an interrupted canary): they are cached. */
const CACHEABLE = new Set<CanaryVerdict['kind']>(CANARY_VERDICT_KINDS.filter((k) => k !== 'interrupted'));
const RECHECK = '`hvbench doctor --recheck` boots the canary again';

/**
 * Whether KVM can run hvbench's guest on `host`, from evidence: /dev/kvm and its
 * permissions, the KVM module, QEMU confirming KVM over QMP, and a canary boot of the real
 * guest image (cached per host and image). An openable /dev/kvm proves nothing by itself:
 * a paravirtual or broken nested KVM opens fine and never boots Linux.
 */
export async function probeKvm(host: Host, settings: KvmProbeSettings, options: ProbeOptions = {}): Promise<KvmProbeResult> {
  const requestedCpu = settings.cpu ?? KVM_DEFAULT_CPU;
  const evidence = await gatherKvmHostEvidence(host);
  const facts: Record<string, string> = hostEvidenceFacts(evidence);
  const result = (available: boolean, reason: string, hint?: string, cpu = requestedCpu): KvmProbeResult => ({
    capability: { backend: 'kvm', available, reason, facts, ...(hint === undefined ? {} : { hint }) },
    cpu,
    vhostNet: evidence.vhostNet,
  });

  const deviceProblem = kvmDeviceProblem(evidence);
  if (deviceProblem !== undefined) return result(false, deviceProblem.reason, deviceProblem.hint);
  const module = kvmVendorModule(evidence.modules) ?? 'no KVM module in /sys/module';

  const binary = settings.binary ?? QEMU_DEFAULTS.binary;
  const qemu = await probeQemu(host, 'kvm', 'kvm', binary);
  Object.assign(facts, qemu.facts);
  if (!qemu.available) return result(false, `${KVM_DEVICE} is usable (${module}), but ${qemu.reason}`, qemu.hint);
  const present = `KVM present (${module}; QEMU ${facts['qemu']} confirms it over QMP)`;

  let image: GuestImage;
  try {
    image = options.image ?? (await loadImage({ cacheDir: settings.cacheDir }));
  } catch (error) {
    if (!isHvbError(error) || !error.code.startsWith('image-')) throw error;
    return result(false, `${present}, but no canary guest could boot: ${error.message}`, 'run `hvbench image build`, then `hvbench doctor`');
  }
  facts['canaryImage'] = image.hash;

  const machine = settings.machine ?? QEMU_DEFAULTS.machine;
  const fingerprint: CanaryFingerprint = {
    host: host.name,
    hostKernel: evidence.kernelRelease,
    kvmModules: evidence.modules.join(','),
    qemu: facts['qemu'] ?? '',
    qemuBinary: facts['qemuBinary'] ?? binary,
    cpu: requestedCpu,
    machine,
    image: image.hash,
  };
  let entry = options.recheck ? undefined : await readCachedCanary(settings.cacheDir, fingerprint);
  const cached = entry !== undefined;
  if (entry === undefined) {
    entry = await bootCanaries(host, image, fingerprint, { ...settings, binary, machine, cpu: requestedCpu }, settings.cpu === undefined, options.log);
    if (CACHEABLE.has(entry.verdicts.at(-1)!.kind)) await writeCachedCanary(settings.cacheDir, entry).catch(() => {});
  }
  const verdict = entry.verdicts.at(-1)!;
  Object.assign(facts, verdictFacts(entry, cached));

  const refused = entry.verdicts.slice(0, -1).map((v) => `-cpu ${v.cpu} was refused${v.msr === undefined ? '' : ` (MSR ${v.msr})`}`);
  const tried = refused.length > 0 ? ` [with -cpu ${verdict.cpu}: ${refused.join(', ')}]` : '';
  const when = cached ? ` [canary of ${entry.checkedAt}, cached]` : '';
  if (verdict.kind === 'ok') {
    const guest = verdict.guest;
    const view = `the guest sees ${guest?.hypervisor ?? 'an unreported hypervisor'}, clock source ${guest?.clocksource ?? 'unreported'}`;
    return result(true, `QEMU ${facts['qemu']}, KVM (${module}): ${verdict.detail}${tried}; ${view}${when}`, undefined, verdict.cpu);
  }
  if (verdict.kind === 'interrupted') return result(false, `${present}, but the canary guest was interrupted: ${verdict.detail}`, 'run `hvbench doctor` again');
  const what =
    verdict.kind === 'accel-mismatch' || verdict.kind === 'wrong-hypervisor'
      ? 'KVM present but its guests do not run under KVM'
      : 'KVM present but cannot boot Linux guests';
  return result(false, `${what}: ${verdict.detail}${tried}${when}`, failureHint(evidence, verdict), verdict.cpu);
}

/** Runs the canary, and once more with a smaller CPU model when KVM refused an MSR of the default one. */
async function bootCanaries(
  host: Host,
  image: GuestImage,
  fingerprint: CanaryFingerprint,
  settings: { binary: string; machine: string; cpu: string; canaryTimeoutMs?: number },
  mayFallBack: boolean,
  log: ((line: string) => void) | undefined,
): Promise<CachedCanary> {
  const checkedAt = new Date().toISOString();
  const verdicts: CanaryVerdict[] = [];
  let cpu: string | undefined = settings.cpu;
  while (cpu !== undefined) {
    const seconds = Math.round((settings.canaryTimeoutMs ?? 60_000) / 1000);
    log?.(`kvm: booting a canary guest with -accel kvm -cpu ${cpu} (at most ${seconds} s)`);
    const observation = await runCanary(host, {
      image,
      cpu,
      machine: settings.machine,
      binary: settings.binary,
      ...(settings.canaryTimeoutMs === undefined ? {} : { timeoutMs: settings.canaryTimeoutMs }),
    });
    const verdict = classifyCanary(observation);
    verdicts.push(verdict);
    log?.(`kvm: canary ${verdict.kind} after ${(verdict.elapsedMs / 1000).toFixed(1)} s: ${verdict.detail}`);
    cpu = mayFallBack && verdict.kind === 'cpu-refused' ? cpuFallback(cpu, verdict.msr) : undefined;
  }
  return { fingerprint, verdicts, checkedAt };
}

function verdictFacts(entry: CachedCanary, cached: boolean): Record<string, string> {
  const verdict = entry.verdicts.at(-1)!;
  return {
    canary: verdict.kind,
    canaryDetail: verdict.detail,
    canaryMs: String(verdict.elapsedMs),
    canaryTotalMs: String(entry.verdicts.reduce((sum, v) => sum + v.elapsedMs, 0)),
    canaryCpu: verdict.cpu,
    canaryCheckedAt: entry.checkedAt,
    canaryCached: cached ? 'yes' : 'no',
    ...(entry.verdicts.length > 1
      ? {
          canaryRefusedCpu: entry.verdicts
            .slice(0, -1)
            .map((v) => `${v.cpu}: ${v.detail}`)
            .join('; '),
        }
      : {}),
    ...(verdict.kind === 'ok' ? { cpuModel: verdict.cpu } : {}),
    ...(verdict.guest?.hypervisor === undefined ? {} : { guestHypervisor: verdict.guest.hypervisor }),
    ...(verdict.guest?.clocksource === undefined ? {} : { guestClocksource: verdict.guest.clocksource }),
  };
}

/** Why /dev/kvm cannot be used at all, or undefined when it exists and this user may open it. */
function kvmDeviceProblem(e: KvmHostEvidence): { reason: string; hint: string } | undefined {
  const module = kvmVendorModule(e.modules);
  if (!e.device.exists) {
    const cpu =
      e.cpu.virt === 'none'
        ? `the host CPU offers no hardware virtualization (no vmx or svm flag${e.cpu.hostIsVm ? '; this host is itself a VM' : ''})`
        : e.cpu.virt === 'unknown'
          ? 'the host CPU flags could not be read'
          : `the host CPU offers ${e.cpu.virt}`;
    return {
      reason: `no ${KVM_DEVICE}: ${module === undefined ? 'no KVM module is loaded' : `module ${module} is present but made no device`}, and ${cpu}`,
      hint:
        e.cpu.virt === 'none'
          ? e.cpu.hostIsVm
            ? 'enable nested virtualization for this VM, or run the KVM cases on a host (or lab) with KVM'
            : 'enable VT-x/AMD-V in the firmware settings'
          : `load the module: modprobe ${e.cpu.virt === 'svm' ? 'kvm_amd' : 'kvm_intel'}`,
    };
  }
  if (!e.device.charDevice) return { reason: `${KVM_DEVICE} exists but is not a character device`, hint: `check what created ${KVM_DEVICE}` };
  if (!e.device.readWrite) {
    return {
      reason: `${KVM_DEVICE} exists (${e.device.mode} ${e.device.owner}:${e.device.group}) but this user cannot open it read-write`,
      hint: e.device.group === 'root' ? 'run hvbench as root' : `add this user to group ${e.device.group} and log in again`,
    };
  }
  return undefined;
}

function failureHint(e: KvmHostEvidence, verdict: CanaryVerdict): string {
  if (e.modules.includes('kvm_pvm')) {
    return `this host's KVM is kvm_pvm (PVM), made for guest kernels built to be PVM-aware; the image's generic Debian kernel is not one. Run KVM cases on a host with kvm_intel or kvm_amd, or in a KVM lab; ${RECHECK}`;
  }
  if (verdict.kind === 'cpu-refused') return `KVM refused the CPU model; ${RECHECK}`;
  if (verdict.kind === 'no-progress') return `a busy host can be this slow too: ${RECHECK}`;
  return RECHECK;
}
