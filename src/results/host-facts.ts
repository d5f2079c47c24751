import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { HostFacts } from './run-record.ts';

/** What /proc/cpuinfo says that hvbench records. */
export interface CpuInfo {
  model?: string;
  /** Physical cores: distinct (physical id, core id) pairs. */
  cores?: number;
  flags: Set<string>;
}

/** Parses /proc/cpuinfo (x86 layout; other layouts give what they have). */
export function parseCpuinfo(text: string): CpuInfo {
  const flags = new Set<string>();
  const cores = new Set<string>();
  let model: string | undefined;
  for (const block of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    model ??= fields.get('model name') || fields.get('Model') || undefined;
    for (const flag of (fields.get('flags') ?? '').split(/\s+/)) if (flag) flags.add(flag);
    const core = fields.get('core id');
    if (core !== undefined) cores.add(`${fields.get('physical id') ?? '0'}:${core}`);
  }
  return { ...(model ? { model } : {}), ...(cores.size ? { cores: cores.size } : {}), flags };
}

/** `PRETTY_NAME` from /etc/os-release. */
export function parseOsRelease(text: string): string | undefined {
  const match = /^PRETTY_NAME=(.*)$/m.exec(text);
  return match ? match[1]!.trim().replace(/^(["'])(.*)\1$/, '$2') : undefined;
}

/** The texts a host's facts are read from (a remote host sends them over SSH). */
export interface HostFactSources {
  cpuinfo: string;
  osRelease: string;
  meminfo: string;
  /** `uname -n`, `uname -r`, `uname -m`. */
  hostname: string;
  kernel: string;
  machine: string;
}

/** Facts of any host from its /proc and uname texts. */
export function hostFactsFrom(name: string, src: HostFactSources): HostFacts {
  const cpu = parseCpuinfo(src.cpuinfo);
  const memKiB = /^MemTotal:\s*(\d+)\s*kB$/m.exec(src.meminfo);
  const arch = src.machine.trim();
  return {
    name,
    hostname: src.hostname.trim() || 'unknown',
    cpuModel: cpu.model ?? 'unknown',
    cpus: Math.max(1, (src.cpuinfo.match(/^processor\s*:/gm) ?? []).length),
    ...(cpu.cores ? { cores: cpu.cores } : {}),
    memoryMiB: memKiB ? Math.round(Number(memKiB[1]) / 1024) : 0,
    kernel: src.kernel.trim() || 'unknown',
    os: parseOsRelease(src.osRelease) ?? 'unknown',
    arch: arch === 'x86_64' ? 'x64' : arch === 'aarch64' ? 'arm64' : arch || 'unknown',
    virtualization: cpu.flags.has('vmx') ? 'vmx' : cpu.flags.has('svm') ? 'svm' : 'none',
    underHypervisor: cpu.flags.has('hypervisor'),
  };
}

/** Facts about the machine hvbench runs on. Missing sources give what the os module knows. */
export async function hostFacts(name = 'local'): Promise<HostFacts> {
  const cpu = parseCpuinfo(await readFile('/proc/cpuinfo', 'utf8').catch(() => ''));
  const osName = parseOsRelease(await readFile('/etc/os-release', 'utf8').catch(() => ''));
  return {
    name,
    hostname: os.hostname(),
    cpuModel: cpu.model ?? os.cpus()[0]?.model ?? 'unknown',
    cpus: os.availableParallelism(),
    ...(cpu.cores ? { cores: cpu.cores } : {}),
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    kernel: os.release(),
    os: osName ?? `${os.type()} ${os.version()}`,
    arch: os.arch(),
    virtualization: cpu.flags.has('vmx') ? 'vmx' : cpu.flags.has('svm') ? 'svm' : 'none',
    underHypervisor: cpu.flags.has('hypervisor'),
  };
}
