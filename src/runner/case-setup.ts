import type { DiskSpec, NicSpec, ShareSpec } from '../backends/common/backend.ts';
import type { CaseDevices } from '../devices/case-devices.ts';
import { modulesFor } from '../devices/drivers.ts';
import { createScratchDisk, type ScratchDisk } from '../devices/scratch-disk.ts';
import { createShareFolder, formatExt4, type ShareFolder } from '../devices/share-folder.ts';
import type { GuestImage } from '../guest/image.ts';
import { initrdFor, type CaseInitrd } from '../guest/initrd.ts';
import type { ProbeKind } from '../guest/protocol/job.ts';
import type { Host } from '../hosts/host.ts';
import type { Dims } from '../results/sample.ts';
import { requireAbsolute } from './absolute-paths.ts';
import type { NetEndpoint } from '../workloads/net-endpoint.ts';
import type { Workload, WorkloadContext } from '../workloads/workload.ts';

/** Where a case's NIC attaches on the host side, opened before its first boot and closed after its last. */
export interface OpenNetwork {
  attach: NicSpec['attach'];
  /** Handed to the workload's command(): where the guest's peers are. */
  endpoint?: NetEndpoint;
  /** Dimensions of every sample of the case, e.g. `net_attach: 'tap'`. */
  dims?: Dims;
  /** Where the case's VMM must run, e.g. inside the network namespace; default the run's host. */
  host?: Host;
  /** What the host-side peers printed, appended to each repetition's log. */
  peerLog?(): string;
  close(): Promise<void>;
}

/** What a case asks of its network: the NIC model, the host its VMM runs on, and the NIC's queue pairs (absent: one). */
export interface NetworkRequest {
  caseId: string;
  model: string;
  host: Host;
  queues?: number;
}

/** Opens the host side of a case's network (network namespaces, peers). */
export interface NetworkProvider {
  open(request: NetworkRequest): Promise<OpenNetwork>;
  /** Why this provider cannot serve such a case on that host (it is then skipped with that), or undefined. Absent: it can. */
  refuses?(request: Omit<NetworkRequest, 'caseId'>): string | undefined;
}

/** Everything a case's repetitions boot with, made once per case. */
export interface CaseSetup {
  initrd: CaseInitrd;
  disks: DiskSpec[];
  nics: NicSpec[];
  /** Host folders shared into the guest (empty: none). */
  shares: ShareSpec[];
  probe: ProbeKind[];
  /** Guest modules for the attached devices, loaded before the workload's own. */
  modules: string[];
  context: WorkloadContext;
  /** Dimensions every sample of the case gets. */
  dims: Dims;
  /** The host its VMMs run on: the run's host, or the one the network asked for. */
  host: Host;
  /** Extra lines for each repetition's log (the network peers' output), if any. */
  extraLog(): string;
  /** Removes the scratch disk and closes the network; safe to call more than once. */
  release(): Promise<void>;
}

export interface CaseSetupInput {
  caseId: string;
  /** Short, file-safe name for the scratch disk. */
  slug: string;
  workload: Workload;
  devices: CaseDevices;
  image: GuestImage;
  host: Host;
  /** Folder for scratch disks (not tmpfs). */
  scratchDir: string;
  network?: NetworkProvider;
}

/** The id of the scratch disk in every VmSpec; the guest finds it as its only disk. */
export const SCRATCH_DISK_ID = 'scratch';
export const NIC_ID = 'net0';
/** The tag the guest mounts a case's shared folder by. */
export const SHARE_TAG = 'hvbshare';

/**
 * Prepares a case: its initrd (base + the segments of the workload's tools), its scratch
 * disk and its network. What was made is released again if a later part fails.
 */
export async function setupCase(input: CaseSetupInput): Promise<CaseSetup> {
  requireAbsolute(input.scratchDir, 'the scratch folder');
  const initrd = await initrdFor(input.image, input.workload.tools ?? []);
  const { disk, nic } = input.devices;
  const dims: Dims = { initrd: initrd.hash };
  const disks: DiskSpec[] = [];
  const nics: NicSpec[] = [];
  const probe: ProbeKind[] = [];
  const modules: string[] = [];
  const context: WorkloadContext = {};
  const shares: ShareSpec[] = [];
  let scratch: ScratchDisk | undefined;
  let network: OpenNetwork | undefined;
  let folder: ShareFolder | undefined;
  const release = async () => {
    await Promise.allSettled([scratch?.remove(), network?.close(), folder?.remove()]);
  };
  try {
    if (disk) {
      scratch = await createScratchDisk(input.host, input.scratchDir, input.slug, disk.sizeMiB);
      disks.push({ id: SCRATCH_DISK_ID, path: scratch.path, format: 'raw', model: disk.model, ...(disk.path ? { ioPath: disk.path } : {}) });
      Object.assign(dims, { io: disk.io, disk_model: disk.model });
      // The `block` share: the file work runs on the guest's own ext4 on this disk.
      if (input.devices.share?.model === 'block') await formatExt4(input.host, scratch.path);
      if (disk.model !== 'host-file') {
        probe.push('disk');
        modules.push(...modulesFor(disk.model));
      }
    }
    const share = input.devices.share;
    if (share) {
      if (share.model !== 'block') {
        folder = await createShareFolder(input.host, input.scratchDir, input.slug);
        shares.push({ tag: SHARE_TAG, path: folder.path, model: share.model });
        context.share = { model: share.model, tag: SHARE_TAG };
        if (!disk) dims.io = share.io;
        if (share.model !== 'host-dir') modules.push(...modulesFor(share.model));
      } else {
        context.share = { model: share.model };
      }
      dims.share = share.model;
    }
    if (nic) {
      const queues = nic.queues === undefined ? {} : { queues: nic.queues };
      network = input.network ? await input.network.open({ caseId: input.caseId, model: nic.model, host: input.host, ...queues }) : undefined;
      nics.push({ id: NIC_ID, model: nic.model, attach: network?.attach ?? { kind: 'user' }, ...(nic.vhost ? { vhost: nic.vhost } : {}), ...queues });
      if (network?.endpoint) context.net = network.endpoint;
      Object.assign(dims, { nic_model: nic.model, ...(network?.dims ?? { net_attach: 'user' }) });
      if (!disk) dims.io = nic.io;
      probe.push('nic');
      modules.push(...modulesFor(nic.model));
    }
  } catch (e) {
    await release();
    throw e;
  }
  const host = network?.host ?? input.host;
  const extraLog = () => network?.peerLog?.() ?? '';
  return { initrd, disks, nics, shares, probe, modules: [...new Set(modules)], context, dims, host, extraLog, release };
}
