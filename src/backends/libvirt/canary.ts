import { randomBytes } from 'node:crypto';
import type { GuestImage } from '../../guest/image.ts';
import { loadImage } from '../../guest/load.ts';
import { encodeJob } from '../../guest/protocol/job.ts';
import { GuestSession } from '../../guest/protocol/session.ts';
import { describeError } from '../../util/errors.ts';
import type { RunningVm } from '../common/backend.ts';
import { launchLibvirtVm } from './launch.ts';
import type { Virsh } from './virsh.ts';

/** As long as `kvm`'s canary may take: a real KVM boots in about a second, a nested one under TCG in about ten. */
export const LIBVIRT_CANARY_TIMEOUT_MS = 60_000;

/**
 * Whether a `kvm` domain really boots Linux: libvirt offering `kvm` domains only says that
 * QEMU can open /dev/kvm, and a KVM that cannot run stock Linux guests (a nested "PVM" KVM)
 * opens fine. So, as the `kvm` backend does, a canary — the real guest image with the `boot`
 * job, one vCPU — boots as a domain; undefined when it reached its agent, else the reason.
 * The domain is destroyed and undefined on every path.
 */
export async function libvirtKvmCanary(virsh: Virsh, given?: GuestImage, timeoutMs = LIBVIRT_CANARY_TIMEOUT_MS): Promise<string | undefined> {
  let image: GuestImage;
  try {
    image = given ?? (await loadImage());
  } catch (e) {
    return `no canary guest could boot: ${describeError(e)} (run \`hvbench image build\`)`;
  }
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
    return `the canary domain did not start: ${describeError(e)}`;
  }
  vm.onConsole((chunk) => session.feed(chunk));
  const timer = setTimeout(() => void vm.kill('canary timeout'), timeoutMs);
  try {
    await vm.wait();
  } finally {
    clearTimeout(timer);
    await vm.kill('canary finished');
    session.close();
  }
  if (session.readyAt !== undefined) return undefined;
  const last = session.lastLogLines(3).join(' | ');
  return `KVM domains are offered but cannot boot Linux guests here: the canary domain did not reach its agent within ${timeoutMs / 1000} s${last ? ` (its console ended: ${last})` : ' (nothing on its console)'}`;
}
