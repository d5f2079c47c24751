import { randomBytes } from 'node:crypto';
import type { GuestImage } from '../../guest/image.ts';
import { encodeJob } from '../../guest/protocol/job.ts';
import { GuestSession } from '../../guest/protocol/session.ts';
import { describeError } from '../../util/errors.ts';
import type { RunningVm } from '../common/backend.ts';
import { launchLibvirtVm } from './launch.ts';
import type { Virsh } from './virsh.ts';

/** As long as `kvm`'s canary may take: a real KVM boots in about a second, a nested one under TCG in about ten. */
export const LIBVIRT_CANARY_TIMEOUT_MS = 60_000;

/**
 * What a canary domain showed: it reached its agent (`ok`); it did not within the time
 * (`no-agent`: this KVM cannot boot the guest, a fact of the host); or the canary says
 * nothing of the host (`unsettled`: the domain did not start, or ended early, killed by a
 * signal perhaps). Only the first two are cached.
 */
export type LibvirtCanaryVerdict = { kind: 'ok' } | { kind: 'no-agent' | 'unsettled'; reason: string };

/**
 * Whether a `kvm` domain really boots Linux: libvirt offering `kvm` domains only says that
 * QEMU can open /dev/kvm, and a KVM that cannot run stock Linux guests (a nested "PVM" KVM)
 * opens fine. So, as the `kvm` backend does, a canary — the real guest image (`image`) with
 * the `boot` job, one vCPU — boots as a domain. The domain is destroyed on every path.
 */
export async function libvirtKvmCanary(virsh: Virsh, image: GuestImage, timeoutMs = LIBVIRT_CANARY_TIMEOUT_MS): Promise<LibvirtCanaryVerdict> {
  const nonce = randomBytes(16).toString('hex');
  const session = new GuestSession(nonce);
  const spec = {
    name: 'kvm-canary',
    vcpus: 1,
    memoryMiB: 256,
    kernel: image.kernel,
    initramfs: image.initramfs,
    cmdline: `quiet panic=-1 ${encodeJob({ nonce, workload: 'boot', command: { steps: [] } })}`,
    disks: [],
    nics: [],
    console: 'serial' as const,
  };
  let vm: RunningVm;
  try {
    vm = await launchLibvirtVm(virsh, spec, 'kvm');
  } catch (e) {
    return { kind: 'unsettled', reason: `the canary domain did not start: ${describeError(e)}` };
  }
  vm.onConsole((chunk) => session.feed(chunk));
  const started = Date.now();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void vm.kill('canary timeout');
  }, timeoutMs);
  try {
    await vm.wait();
  } finally {
    clearTimeout(timer);
    await vm.kill('canary finished');
    session.close();
  }
  if (session.readyAt !== undefined) return { kind: 'ok' };
  const last = session.lastLogLines(3).join(' | ');
  const said = last ? ` (its console ended: ${last})` : ' (nothing on its console)';
  if (!timedOut)
    return { kind: 'unsettled', reason: `the canary domain ended after ${((Date.now() - started) / 1000).toFixed(1)} s without reaching its agent${said}` };
  return {
    kind: 'no-agent',
    reason: `KVM domains are offered but cannot boot Linux guests here: the canary domain did not reach its agent within ${timeoutMs / 1000} s${said}`,
  };
}
