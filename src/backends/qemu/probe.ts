import type { Host } from '../../hosts/host.ts';
import type { Capability } from '../common/backend.ts';
import { ACCEL_QUERIES, classifyAccel, type AccelAnswers } from './accel.ts';
import { QEMU_DEFAULTS, QEMU_HEADLESS, type QemuAccel } from './argv.ts';
import { IO_URING_FACT } from './disk-path.ts';
import { parseAccelHelp, parseQemuVersion } from './version.ts';
import { probeVirtiofsd } from './virtiofsd.ts';
import { firstLine } from '../../util/first-line.ts';

const PROBE_TIMEOUT_MS = 15_000;
const INSTALL_HINT = 'install QEMU: apt-get install qemu-system-x86 (Debian/Ubuntu)';

/**
 * Whether QEMU can run guests with `accel` on this host, from evidence: the binary runs
 * (`--version`), lists the accelerator (`-accel help`), and a board-less QEMU started
 * with it confirms over QMP that it really uses it (Debian ships TCG as a loadable
 * module, so "listed" is not proof).
 */
export async function probeQemu(host: Host, backend: string, accel: QemuAccel, binary: string = QEMU_DEFAULTS.binary): Promise<Capability> {
  const facts: Record<string, string> = {};
  const no = (reason: string, hint?: string): Capability => ({ backend, available: false, reason, facts, ...(hint ? { hint } : {}) });

  const versionRun = await host.exec([binary, '--version'], { timeoutMs: PROBE_TIMEOUT_MS });
  if (versionRun.exitCode === 127) return no(`${binary} not found`, INSTALL_HINT);
  const version = parseQemuVersion(versionRun.stdout);
  if (versionRun.exitCode !== 0 || version === undefined) {
    return no(`${binary} --version failed or said something unexpected: ${firstLine(versionRun.stderr || versionRun.stdout)}`);
  }
  facts['qemu'] = version.version;
  if (version.package !== undefined) facts['qemuPackage'] = version.package;
  facts['qemuBinary'] = await resolveBinary(host, binary);

  const helpRun = await host.exec([binary, '-accel', 'help'], { timeoutMs: PROBE_TIMEOUT_MS });
  const accels = parseAccelHelp(helpRun.stdout);
  facts['qemuAccelerators'] = accels.join(',');
  if (!accels.includes(accel)) {
    return no(`QEMU ${version.version} does not list the ${accel} accelerator (it lists: ${accels.join(', ') || 'none'})`);
  }

  const smoke = await smokeTest(host, binary, accel);
  if (smoke.accel !== accel) {
    return no(
      `QEMU ${version.version} lists ${accel} but did not start with it: ${smoke.problem}`,
      accel === 'tcg' ? 'Debian builds TCG as a module: reinstall qemu-system-x86 (accel-tcg-x86_64.so)' : undefined,
    );
  }
  facts[IO_URING_FACT] = await ioUringCheck(host, binary);
  // Where virtiofsd is, and its version: a virtiofs case is skipped at planning without one.
  Object.assign(facts, await probeVirtiofsd(host));
  return { backend, available: true, reason: `QEMU ${version.version}, ${accel.toUpperCase()} accelerator available`, facts };
}

/**
 * Whether QEMU opens a drive with aio=io_uring on this host: `yes`, or `no: ` and QEMU's
 * words. A board-less QEMU opens /dev/null read-only with it and quits: that needs both a
 * build with liburing and a kernel that lets the process use io_uring (it may be disabled by
 * sysctl kernel.io_uring_disabled or a seccomp filter), which the version alone cannot tell.
 */
async function ioUringCheck(host: Host, binary: string): Promise<string> {
  const messages = [{ execute: 'qmp_capabilities' }, { execute: 'quit' }];
  const run = await host.exec(
    [binary, '-machine', 'none', ...QEMU_HEADLESS, '-drive', 'file=/dev/null,if=none,id=probe,format=raw,readonly=on,aio=io_uring', '-qmp', 'stdio'],
    { timeoutMs: PROBE_TIMEOUT_MS, input: `${messages.map((m) => JSON.stringify(m)).join('\n')}\n` },
  );
  if (run.exitCode === 0) return 'yes';
  return `no: ${firstLine(run.stderr) || `exit code ${run.exitCode}`}`;
}

/** Starts QEMU without a board (`-machine none`), asks QMP on stdio what runs, quits. */
async function smokeTest(host: Host, binary: string, accel: QemuAccel): Promise<{ accel: string; problem: string }> {
  const messages = [{ execute: 'qmp_capabilities' }, { ...ACCEL_QUERIES.kvm, id: 'kvm' }, { ...ACCEL_QUERIES.jit, id: 'jit' }, { execute: 'quit' }];
  const run = await host.exec([binary, '-machine', 'none', '-accel', accel, ...QEMU_HEADLESS, '-qmp', 'stdio'], {
    timeoutMs: PROBE_TIMEOUT_MS,
    input: `${messages.map((m) => JSON.stringify(m)).join('\n')}\n`,
  });
  if (run.exitCode !== 0) return { accel: 'none', problem: firstLine(run.stderr) || `exit code ${run.exitCode}` };
  const answers: AccelAnswers = { kvm: '(no answer)', jit: undefined };
  for (const line of run.stdout.split('\n')) {
    let message: { id?: unknown; return?: unknown; error?: { desc?: string } };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      continue;
    }
    const value = message.error !== undefined ? (message.error.desc ?? 'error') : message.return;
    if (message.id === 'kvm') answers.kvm = value as AccelAnswers['kvm'];
    if (message.id === 'jit') answers.jit = String(value);
  }
  const found = classifyAccel(answers);
  return { accel: found.accel, problem: `it runs ${found.accel} (${found.evidence})` };
}

/** The binary's full path as the host resolves it (the name itself if that fails). */
async function resolveBinary(host: Host, binary: string): Promise<string> {
  if (binary.includes('/')) return binary;
  // `command -v` is POSIX; the name is passed as an argument, never spliced into the script.
  const run = await host.exec(['sh', '-c', 'command -v "$1"', 'sh', binary], { timeoutMs: PROBE_TIMEOUT_MS });
  const path = run.stdout.trim();
  return run.exitCode === 0 && path.startsWith('/') ? path : binary;
}
