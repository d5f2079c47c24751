import { constants } from 'node:fs';
import { access, open, readFile, type FileHandle } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Writable } from 'node:stream';
import { defaultCacheDir } from '../../guest/cache.ts';
import { execa } from 'execa';
import type { Host, HostProcess } from '../../hosts/host.ts';
import { fromExeca } from '../../hosts/piped-process.ts';
import { HvbError } from '../../util/errors.ts';
import type { Backend, Capability, DiskSpec, RunningVm, ShareSpec, VmSpec } from '../common/backend.ts';
import { startedVmm } from '../common/vmm-spawn.ts';
import { nativeArgv, nativeJob } from './argv.ts';
import { decodeJob } from '../../guest/protocol/job.ts';
import { pinnedNativeArgv } from './pinning.ts';
import { NATIVE_DEVICES } from './devices.ts';
import { findNativeToolsOn, probeNative } from './probe.ts';
import { remoteNativeArgv } from './remote-argv.ts';
import { remoteNativeRoot } from './remote-root.ts';
import { nativeRoot } from './root.ts';
import { NativeVm } from './vm.ts';

/** What the agent must contain to run natively (it reads HVB_CMDLINE and leaves the host console alone). */
export const NATIVE_AGENT_MARKER = 'HVB_NATIVE';

export interface NativeBackendOptions {
  /** Where unpacked image roots are kept; default `<hvbench cache>/native/…`. */
  cacheDir?: string;
}

/**
 * The native baseline: the guest image's own binaries, run on the host. The image's
 * initramfs is unpacked once into a cached root; each launch runs the agent in that root
 * (chroot) as PID 1 of new mount and PID namespaces, with the job in its environment
 * instead of on a kernel command line. Frames and parsing are exactly a guest's.
 * vCPU count and memory size are not enforced: the run sees the whole host.
 *
 * On another host (a remote or a lab, over SSH) the same root is sent there and unpacked
 * (remote-root.ts), and a small wrapper opens the scratch disk there and records the run's
 * process group (remote-argv.ts): native is then measured on the host the VMs run on, the
 * baseline an explained overhead needs.
 */
export function createNativeBackend(options: NativeBackendOptions = {}): Backend {
  return {
    name: 'native',
    devices: () => NATIVE_DEVICES,
    network: 'none',
    startBarrier: true,
    factDims: [],
    probe(host: Host): Promise<Capability> {
      return probeNative(host);
    },
    async launch(vm: VmSpec, host: Host): Promise<RunningVm> {
      const disk = hostFileDisk(vm);
      const share = hostDirShare(vm);
      const tools = await findNativeToolsOn(host);
      if ('missing' in tools)
        throw new HvbError('native-unavailable', `the native backend needs ${tools.missing.join(' and ')} on ${host.name}`, {
          hint: 'apt-get install util-linux coreutils',
        });
      const root = await nativeRoot(vm.initramfs, options.cacheDir ?? defaultCacheDir());
      await checkAgent(root.dir);
      const busyboxAt = (dir: string) => posix.join(dir, 'bin', 'busybox');
      await access(busyboxAt(root.dir), constants.X_OK).catch(() => {
        throw new HvbError('native-root', `the image root ${root.dir} has no executable /bin/busybox`, { hint: 'the initramfs is not an hvbench guest image' });
      });
      const rootDir = host.kind === 'local' ? root.dir : await remoteNativeRoot(host, root);
      const job = nativeJob(vm.cmdline);
      const notes = job.droppedModules.length
        ? [`kernel modules ${job.droppedModules.join(', ')} not loaded: a native run uses the host's kernel and drivers`]
        : [];
      const tempDir = await host.makeTempDir(`hvbench-native-${vm.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}-`);
      const unpinned = nativeArgv({
        busybox: busyboxAt(rootDir),
        ...tools,
        root: rootDir,
        usageFile: posix.join(tempDir, 'usage'),
        cmdline: job.cmdline,
        diskOnStdin: disk !== undefined || share !== undefined,
      });
      const argv = pinnedNativeArgv(unpinned, vm.pinning);
      const barrier = decodeJob(vm.cmdline).barrier === true;
      const removeTemp = () => host.removeTree(tempDir);
      if (host.kind !== 'local') {
        // On another host the scratch disk or folder is opened there, by the run's own wrapper.
        const stdin = disk
          ? { path: disk.path, mode: disk.readonly ? ('r' as const) : ('rw' as const) }
          : share
            ? { path: share.path, mode: 'r' as const }
            : undefined;
        const child = host.spawn(remoteNativeArgv({ tempDir, barrier, ...(stdin ? { stdin } : {}) }, argv), { detached: true, forwardStdin: barrier });
        const started = await startedVmm(child, `the native run on ${host.name}`, removeTemp);
        return new NativeVm(host, started, tempDir, notes, barrier ? (child.stdin ?? undefined) : undefined);
      }
      let file: FileHandle | undefined;
      let child: HostProcess;
      let barrierInput: Writable | undefined;
      try {
        // A shared folder is opened as a directory: the run reaches it through that descriptor (/proc/1/fd/9).
        file = disk ? await open(disk.path, disk.readonly ? 'r' : 'r+') : share ? await open(share.path, 'r') : undefined;
        ({ child, barrierInput } = spawnRun(argv, tempDir, file, barrier));
      } catch (e) {
        await removeTemp();
        const what = disk ? `the scratch disk ${disk.path}` : `the shared folder ${share?.path}`;
        throw new HvbError('native-disk', `cannot open ${what}: ${(e as Error).message}`, { cause: e });
      } finally {
        // The child holds its own copy of the descriptor.
        await file?.close();
      }
      return new NativeVm(host, await startedVmm(child, 'the native run', removeTemp), tempDir, notes, barrierInput);
    },
  };
}

/**
 * The one device a native run has: a scratch disk that is a plain host file (model
 * `host-file`, see src/devices/capabilities.ts). Anything else has no native counterpart.
 */
function hostFileDisk(vm: VmSpec): DiskSpec | undefined {
  const other = vm.disks.find((d) => d.model !== 'host-file');
  if (vm.nics.length > 0 || other || vm.disks.length > 1) {
    const what = [...vm.disks.map((d) => `disk ${d.model}`), ...vm.nics.map((n) => `NIC ${n.model}`)].join(', ');
    throw new HvbError('native-devices', `the native backend has no virtual devices; ${vm.name} asks for ${what}`, {
      hint: 'a native case can have one scratch disk of model host-file; run other devices on tcg, kvm or xen',
    });
  }
  return vm.disks[0];
}

/**
 * The folder a native run does file work in (model `host-dir`): like the scratch disk, it is
 * handed to the run as its stdin, an open directory, which the agent names as @disk; no host
 * path needs to be visible in the root. A run has one or the other.
 */
function hostDirShare(vm: VmSpec): ShareSpec | undefined {
  const shares = vm.shares ?? [];
  if (shares.length === 0) return undefined;
  if (shares.length > 1 || shares[0]!.model !== 'host-dir' || vm.disks.length > 0) {
    const what = [...shares.map((s) => `share ${s.model}`), ...vm.disks.map((d) => `disk ${d.model}`)].join(', ');
    throw new HvbError(
      'native-devices',
      `the native backend runs in one host folder (share model host-dir) or on one scratch file; ${vm.name} asks for ${what}`,
    );
  }
  return shares[0];
}

/**
 * Local spawn, in its own process group; the scratch disk (if any) becomes the run's stdin.
 * A job with a start barrier also gets a pipe as fd 3, which every program on the way to the
 * agent (time, unshare, chroot, env) passes on: the agent reads its `go` line there.
 */
function spawnRun(argv: string[], cwd: string, disk: FileHandle | undefined, barrier: boolean): { child: HostProcess; barrierInput?: Writable } {
  const [file, ...args] = argv as [string, ...string[]];
  // execa's types list only a few literal descriptors, but any open descriptor given alone
  // is handed to child_process.spawn as it is: the child's stdin is the file itself.
  const stdin = disk ? (disk.fd as 3) : 'ignore';
  if (!barrier) return { child: fromExeca(execa(file, args, { reject: false, buffer: false, detached: true, cwd, stdin, stdout: 'pipe', stderr: 'pipe' })) };
  const run = execa(file, args, { reject: false, buffer: false, detached: true, cwd, stdio: [stdin, 'pipe', 'pipe', 'pipe'] });
  // execa types an extra 'pipe' as the child's output; it is Node's socket pair, which writes as well.
  return { child: fromExeca(run as unknown as Parameters<typeof fromExeca>[0]), barrierInput: run.stdio[3] as unknown as Writable };
}

/** An agent without native support would write to the host's console and change its log level: refuse it. */
async function checkAgent(rootDir: string): Promise<void> {
  const init = await readFile(join(rootDir, 'init'), 'utf8').catch(() => '');
  if (!init.includes(NATIVE_AGENT_MARKER)) {
    throw new HvbError(
      'native-agent',
      `the image's agent (${join(rootDir, 'init')}) cannot run natively: it does not read ${NATIVE_AGENT_MARKER}/HVB_CMDLINE`,
      {
        hint: 'rebuild the image with an agent that supports native runs (hvbench image build)',
      },
    );
  }
}

export const nativeBackend: Backend = createNativeBackend();
