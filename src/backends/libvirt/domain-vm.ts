import type { Host, ProcessExit } from '../../hosts/host.ts';
import type { VmExit } from '../common/backend.ts';
import { LifecycleVm } from '../common/lifecycle-vm.ts';
import { readProcessUsage } from '../common/proc-usage.ts';
import { VmLifecycle, type VmmEnding } from '../common/vm-lifecycle.ts';
import type { StartedProcess } from '../common/vmm-spawn.ts';
import { exitFromDomState } from './domain-state.ts';
import { libvirtReadBack } from './read-back.ts';
import type { Virsh } from './virsh.ts';

/** kill() reads the usage first, but does not wait longer than this for it. */
const USAGE_READ_TIMEOUT_MS = 2_000;
/** After `virsh destroy`, QEMU is gone and the console reader must end within this. */
const DESTROY_EXIT_TIMEOUT_MS = 10_000;
/**
 * How often QEMU's usage is read while the guest runs. libvirt ends QEMU itself as soon as
 * the guest powers off (its QEMU driver has no `preserve` action), so the last figure is the
 * last read before that: at most this much CPU time of the guest's final moments is missed.
 */
export const USAGE_POLL_MS = 250;
/** How long libvirt may take to mark a domain shut off once its QEMU has gone. */
const STATE_SETTLE_MS = 5_000;

/** The domain a LibvirtVm drives, and where its QEMU and console are. */
export interface LibvirtDomain {
  name: string;
  /** QEMU's pid on the libvirt host. */
  pid: number;
  /** The VM's private folder on the libvirt host (console file, domain XML), removed at the end. */
  tempDir: string;
}

/**
 * A guest in a libvirt domain. The process hvbench follows is the console reader on the
 * libvirt host (`tail --pid=<QEMU>` of the serial console file): its output is the console,
 * and it ends once QEMU has ended. Its end is decided by the first of: QEMU ending by itself
 * (the guest powered off, crashed or rebooted: `virsh domstate --reason` says which), kill()
 * (`virsh destroy`), or the reader ending. Whatever ended it, the domain is destroyed and
 * undefined before wait() resolves, so nothing of it is left in libvirt.
 */
export class LibvirtVm extends LifecycleVm {
  accel = 'unknown';
  protected readonly life: VmLifecycle;
  private stateAtExit: VmExit | undefined;
  private readonly poll: NodeJS.Timeout;

  constructor(
    private readonly virsh: Virsh,
    child: StartedProcess,
    private readonly domain: LibvirtDomain,
  ) {
    super();
    const host: Host = virsh.host;
    this.life = new VmLifecycle(
      this,
      {
        name: 'libvirt',
        readUsage: () => readProcessUsage(host, domain.pid),
        killing: () => this.destroying(),
        afterExit: async () => {
          clearInterval(this.poll);
          this.stateAtExit = await this.stoppedState();
        },
        exitOutcome: (exit: ProcessExit) => this.stateAtExit ?? { kind: 'exited', exitCode: exit.exitCode, signal: exit.signal },
        cleanUp: () => this.removeDomain(),
      },
      { host, process: child, tempDir: domain.tempDir, usageReadTimeoutMs: USAGE_READ_TIMEOUT_MS, remoteKill: () => this.removeDomain() },
    );
    this.poll = setInterval(() => void this.life.usage().catch(() => {}), USAGE_POLL_MS);
    this.poll.unref();
  }

  /** QEMU's pid on the libvirt host. */
  get pid(): number {
    return this.domain.pid;
  }

  /** The domain's name in libvirt (`hvbench-…`). */
  get domainName(): string {
    return this.domain.name;
  }

  /**
   * Why the domain stopped, once libvirt has seen its QEMU go (the console reader can see it
   * first): `virsh domstate --reason` until it says `shut off`, for a few seconds at most.
   */
  private async stoppedState(): Promise<VmExit | undefined> {
    const until = Date.now() + STATE_SETTLE_MS;
    do {
      const state = await this.virsh.run('domstate', [this.domain.name, '--reason']).catch(() => undefined);
      if (state === undefined || state.exitCode !== 0) return undefined;
      const exit = exitFromDomState(state.stdout);
      if (exit !== undefined) return exit;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } while (Date.now() < until);
    return undefined;
  }

  /** The disks' cache mode as the domain's QEMU reports it (read-back.ts). */
  readBack(): Promise<Record<string, string>> {
    return libvirtReadBack(this.virsh, this.domain.name);
  }

  private destroying(): VmmEnding {
    return {
      request: () => this.destroy(),
      timeoutMs: DESTROY_EXIT_TIMEOUT_MS,
      late: `the console reader did not end within ${DESTROY_EXIT_TIMEOUT_MS} ms of virsh destroy; killed it`,
    };
  }

  /** `virsh destroy`: QEMU is killed by libvirt. A domain that is no longer running is fine. */
  private async destroy(): Promise<void> {
    const result = await this.virsh.run('destroy', [this.domain.name]).catch((e: unknown) => ({ exitCode: -1, stdout: '', stderr: String(e) }));
    if (result.exitCode !== 0 && !/not running|failed to get domain|domain not found/i.test(result.stderr)) {
      this.life.log.append(`hvbench: virsh destroy ${this.domain.name} failed: ${result.stderr.trim()}\n`);
    }
  }

  /** Destroys the domain if it still runs and undefines it; never throws (what failed goes to the log). */
  private async removeDomain(): Promise<void> {
    clearInterval(this.poll);
    await this.destroy();
    const result = await this.virsh.run('undefine', [this.domain.name]).catch((e: unknown) => ({ exitCode: -1, stdout: '', stderr: String(e) }));
    if (result.exitCode !== 0 && !/failed to get domain|domain not found/i.test(result.stderr)) {
      this.life.log.append(`hvbench: virsh undefine ${this.domain.name} failed: ${result.stderr.trim()}\n`);
    }
  }
}
