import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { ResultPromise } from 'execa';
import { DEFAULT_XEN_GUEST_TYPE, type XenGuestType } from '../../devices/models.ts';
import type { Host } from '../../hosts/host.ts';
import { sshLostLine } from '../../hosts/ssh-errors.ts';
import { HvbError } from '../../util/errors.ts';
import type { RunningVm, VmExit, VmmUsage, VmSpec } from '../common/backend.ts';
import { trackVm } from '../common/live-vms.ts';
import { settlesWithin } from '../common/settles-within.ts';
import { buildXenConfig } from './config.ts';
import { xenExit } from './exit.ts';
import { parseXlList, parseXlMonitorLine, type XlMonitorEvent } from './info.ts';
import { xenRamdisk } from './ramdisk.ts';
import { CappedLog, ConsoleStream, streamDone } from '../common/vmm-output.ts';

export interface XenLaunchOptions {
  /** How to run xl on the dom0; default `['xl']` (e.g. `['sudo', '-n', 'xl']`). */
  xl?: readonly string[];
  /** Bridge in dom0 for vifs; none by default (NIC cases are refused). */
  bridge?: string;
  /** The domain must be running within this; default 120 s (a domain build under nested TCG is slow). */
  startTimeoutMs?: number;
  /** After `xl destroy`, xl must exit within this or it is killed; default 30 s. */
  destroyTimeoutMs?: number;
  /** Console quiet time that counts as drained after the guest stopped; default 500 ms. */
  drainQuietMs?: number;
  /**
   * The local ramdisk file xl gets for the spec's initramfs: default xenRamdisk() (PV and
   * PVH guests get the initrd's archives as one gzip member, see xen-ramdisk.ts).
   */
  ramdisk?: (initramfs: string, type: XenGuestType) => Promise<string>;
}

export const XEN_DEFAULTS = { xl: ['xl'], startTimeoutMs: 120_000, destroyTimeoutMs: 30_000, drainQuietMs: 500 } as const;

/** The longest hvbench waits for a stopped guest's console to drain. */
const DRAIN_MAX_MS = 5_000;
const XL_EXEC_TIMEOUT_MS = 60_000;

/**
 * A domain name that is unique and recognisable: `hvb-`, the VM's name in lower-case
 * letters, digits and `-` (at most 32 characters), and 8 random hex digits.
 */
export function xenDomainName(vmName: string, random: string = randomBytes(4).toString('hex')): string {
  const slug = vmName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32).replace(/-+$/, '');
  return `hvb-${slug === '' ? 'vm' : `${slug}`}-${random}`;
}

/**
 * Boots a VmSpec as a Xen domain on a dom0 host: copies kernel and initramfs there
 * (host.putFile, cached by hash), writes the xl config into a private temporary folder and
 * runs `xl create -F -c -f <cfg>` as the VM's process. Its stdout is the guest console
 * (xl attaches xenconsole before it unpauses the domain, so nothing is missed), its stderr
 * xl's domain monitor. Resolves once xl says the domain runs and `xl list -l` confirmed its
 * type. Anything made on the way is removed again if a later step fails.
 */
export async function launchXenVm(host: Host, vm: VmSpec, options: XenLaunchOptions = {}): Promise<XenVm> {
  const xl = [...(options.xl ?? XEN_DEFAULTS.xl)];
  const type = vm.xenType ?? DEFAULT_XEN_GUEST_TYPE;
  const domain = xenDomainName(vm.name);
  const bridge = options.bridge === undefined ? {} : { bridge: options.bridge };
  // Refuse an impossible spec before anything is copied or created.
  buildXenConfig(vm, { domain, kernel: vm.kernel, ramdisk: vm.initramfs, ...bridge });
  const kernel = await host.putFile(vm.kernel);
  const ramdisk = await host.putFile(await (options.ramdisk ?? xenRamdisk)(vm.initramfs, type));
  const config = buildXenConfig(vm, { domain, kernel, ramdisk, ...bridge });
  const dir = await host.makeTempDir('hvbench-xen-');
  const configPath = posix.join(dir, `${domain}.cfg`);
  let child: ResultPromise;
  try {
    await host.writeFile(configPath, config);
    child = host.spawn([...xl, 'create', '-F', '-c', '-f', configPath], { detached: true });
  } catch (error) {
    await host.removeTree(dir).catch(() => {});
    throw error;
  }
  if (child.pid === undefined) {
    const result = await child;
    await host.removeTree(dir).catch(() => {});
    throw new HvbError('vmm-spawn-failed', `cannot start ${xl.join(' ')}: ${result.originalMessage ?? result.shortMessage}`, {
      hint: 'install the Xen tools in dom0 (Debian: xen-utils) or check the xl command',
    });
  }
  const xenVm = new XenVm(host, child, child.pid, { ...options, dir, domain, type, xl });
  try {
    await xenVm.started(options.startTimeoutMs ?? XEN_DEFAULTS.startTimeoutMs);
  } catch (error) {
    await xenVm.kill(`launch failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  return xenVm;
}

interface XenVmParams extends XenLaunchOptions {
  dir: string;
  domain: string;
  type: string;
  xl: string[];
}

/**
 * One Xen domain and the `xl create -F -c` process that created it.
 *
 * The end is decided by the first of: the guest stops itself (xl logs `Domain N has shut
 * down, reason code R`; every action is `preserve`, so the domain stays, its CPU time is
 * read and its console drained, then hvbench destroys it), kill() (`xl destroy`), or the xl
 * process ending by itself. wait() resolves once xl has exited, the console drained, the
 * domain is gone and the private folder removed.
 */
export class XenVm implements RunningVm {
  accel = 'unknown';
  domid: number | undefined;
  readonly domain: string;
  private readonly console = new ConsoleStream();
  private readonly log = new CappedLog();
  private outcome: VmExit | undefined;
  private processGone = false;
  private exitDescription = '';
  private readonly processExit: Promise<void>;
  private readonly finished: Promise<VmExit>;
  private cachedUsage: VmmUsage | undefined;
  private peakMemKiB = 0;
  private usageFinal = false;
  private stopping: Promise<void> | undefined;
  private killing: Promise<void> | undefined;
  private lastConsoleAt = Date.now();
  private readonly untrack: () => void;
  private onRunning: ((domid: number) => void) | undefined;
  private consoleProblem: string | undefined;
  private stderrRest = '';

  constructor(
    private readonly host: Host,
    private readonly child: ResultPromise,
    readonly pid: number,
    private readonly params: XenVmParams,
  ) {
    this.domain = params.domain;
    const stdoutDone = streamDone(child.stdout, () => this.console.end());
    const stderrDone = streamDone(child.stderr);
    child.stdout?.on('data', (bytes: Buffer) => {
      this.lastConsoleAt = Date.now();
      this.console.push(bytes);
    });
    child.stderr?.on('data', (bytes: Buffer) => this.onStderr(bytes));
    this.untrack = trackVm(this, pid);
    this.processExit = child.then(
      async (result) => {
        await settlesWithin(stderrDone, 2_000);
        this.onStderr(Buffer.from('\n'), false);
        this.onProcessExit(result.exitCode ?? null, result.signal ?? null);
      },
      (error: unknown) => {
        this.log.append(`hvbench: lost track of xl: ${error instanceof Error ? error.message : String(error)}\n`);
        this.onProcessExit(null, null);
      },
    );
    this.finished = this.processExit.then(async () => {
      await settlesWithin(stdoutDone, 2_000);
      // Whatever ended xl, the domain must not outlive the VM (a no-op when already gone).
      await this.stopping?.catch(() => {});
      await this.destroyDomain();
      this.untrack();
      await this.host.removeTree(this.params.dir).catch(() => {});
      return this.outcome!;
    });
  }

  /** @internal Resolves once xl says the domain runs and its type is confirmed. */
  async started(timeoutMs: number): Promise<void> {
    const running = new Promise<number>((resolve) => {
      this.onRunning = resolve;
      if (this.domid !== undefined) resolve(this.domid);
    });
    const exited = this.processExit.then(() => {
      throw new HvbError('vmm-exited', `xl create ended before the domain ran: ${this.describeExit()}`, {
        hint: 'the VMM log above is xl\'s own explanation; `xl dmesg` on the dom0 may say more',
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HvbError('vmm-start-timeout', `the domain ${this.domain} was not running ${timeoutMs / 1000} s after xl create`)), timeoutMs);
    });
    try {
      await Promise.race([running, exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
    if (this.consoleProblem !== undefined) throw new HvbError('console-failed', `xl could not attach the guest console: ${this.consoleProblem}`, { hint: 'the dom0 needs /var/lock and a running xenconsoled' });
    await this.confirmType();
  }

  onConsole(listener: (chunk: string) => void): void {
    this.console.onChunk(listener);
  }

  wait(): Promise<VmExit> {
    return this.finished;
  }

  kill(reason: string): Promise<void> {
    this.killing ??= (async () => {
      this.outcome ??= { kind: 'killed', reason };
      if (!this.processGone) {
        if (!this.usageFinal) {
          await settlesWithin(this.freezeUsage(), 5_000);
        }
        await this.destroyDomain();
        if (!(await settlesWithin(this.processExit, this.params.destroyTimeoutMs ?? XEN_DEFAULTS.destroyTimeoutMs))) {
          this.log.append(`hvbench: xl did not exit after xl destroy; killed\n`);
          this.child.kill('SIGKILL');
        }
      }
      await this.finished;
    })();
    return this.killing;
  }

  /**
   * The domain's CPU time (all vCPUs, `xl list` Time(s), 0.1 s resolution) as cpuUserS,
   * cpuSystemS 0 (Xen does not split it), and the largest allocation seen (`xl list` Mem)
   * as peakRssKiB. Exact after the guest stopped: the preserved domain's time no longer moves.
   */
  async usage(): Promise<VmmUsage | undefined> {
    if (!this.usageFinal && !this.processGone) {
      const fresh = await this.readUsage();
      if (fresh !== undefined && !this.usageFinal) this.cachedUsage = fresh;
    }
    return this.cachedUsage;
  }

  vmmLog(): string {
    return this.log.text();
  }

  private onStderr(bytes: Buffer, keep = true): void {
    if (keep) this.log.push(bytes);
    const text = this.stderrRest + bytes.toString('utf8');
    const lines = text.split('\n');
    this.stderrRest = lines.pop() ?? '';
    for (const line of lines) {
      const event = parseXlMonitorLine(line);
      if (event) this.onMonitorEvent(event);
    }
  }

  private onMonitorEvent(event: XlMonitorEvent): void {
    switch (event.kind) {
      case 'running':
        this.domid = event.domid;
        this.onRunning?.(event.domid);
        break;
      case 'shutdown':
        if (this.outcome === undefined) {
          this.outcome = xenExit(event.code);
          this.stopping = this.afterGuestStop();
        }
        break;
      case 'console-failed':
        this.consoleProblem ??= event.message;
        if (this.domid !== undefined) void this.kill(`xl could not attach the guest console: ${event.message}`);
        break;
      case 'destroyed':
        break;
    }
  }

  /** The guest stopped and its domain is preserved: read usage, let the console drain, destroy. */
  private async afterGuestStop(): Promise<void> {
    await this.freezeUsage();
    const t0 = Date.now();
    const quiet = this.params.drainQuietMs ?? XEN_DEFAULTS.drainQuietMs;
    while (!this.processGone && Date.now() - this.lastConsoleAt < quiet && Date.now() - t0 < DRAIN_MAX_MS) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, quiet)));
    }
    await this.destroyDomain();
    if (!(await settlesWithin(this.processExit, this.params.destroyTimeoutMs ?? XEN_DEFAULTS.destroyTimeoutMs))) {
      this.log.append(`hvbench: xl did not exit after the domain was destroyed; killed\n`);
      this.child.kill('SIGKILL');
    }
  }

  private async freezeUsage(): Promise<void> {
    if (this.usageFinal) return;
    const usage = await this.readUsage();
    if (usage !== undefined) this.cachedUsage = usage;
    this.usageFinal = true;
  }

  private async readUsage(): Promise<VmmUsage | undefined> {
    const listed = await this.xl(['list', this.domain]).catch(() => undefined);
    const row = listed?.exitCode === 0 ? parseXlList(listed.stdout).find((r) => r.name === this.domain) : undefined;
    if (!row) return undefined;
    this.peakMemKiB = Math.max(this.peakMemKiB, row.memMiB * 1024);
    return { pid: this.pid, cpuUserS: row.cpuS, cpuSystemS: 0, peakRssKiB: this.peakMemKiB };
  }

  /** `xl destroy <domain>`; a domain that is already gone is fine. */
  private destroying: Promise<void> | undefined;
  private destroyDomain(): Promise<void> {
    this.destroying ??= (async () => {
      const r = await this.xl(['destroy', this.domain]).catch((error: unknown) => ({ exitCode: -1, stdout: '', stderr: String(error) }));
      if (r.exitCode !== 0 && !/invalid domain identifier|not found|no such domain/i.test(r.stderr)) {
        this.log.append(`hvbench: xl destroy ${this.domain} failed (exit ${r.exitCode}): ${r.stderr.trim()}\n`);
      }
    })();
    return this.destroying;
  }

  /** Reads the domain's type from `xl list -l` (libxl's own record), never from the request. */
  private async confirmType(): Promise<void> {
    const r = await this.xl(['list', '-l', this.domain]);
    const type = r.exitCode === 0 ? domainTypeFromJson(r.stdout) : undefined;
    if (type === undefined) {
      this.log.append(`hvbench: could not read the domain type from xl list -l (exit ${r.exitCode}): ${r.stderr.trim()}\n`);
      return;
    }
    this.accel = `xen-${type}`;
    if (type !== this.params.type) {
      throw new HvbError('accel-mismatch', `asked Xen for a ${this.params.type.toUpperCase()} guest, but xl list -l says the domain is ${type.toUpperCase()}`);
    }
  }

  private xl(args: string[]) {
    return this.host.exec([...this.params.xl, ...args], { timeoutMs: XL_EXEC_TIMEOUT_MS });
  }

  private onProcessExit(exitCode: number | null, signal: string | null): void {
    this.processGone = true;
    this.exitDescription = signal === null ? `exit code ${exitCode}` : `killed by ${signal}`;
    // xl in a remote dom0 runs under ssh, whose own failure is 255 (xl's errors are small numbers).
    const lost = this.outcome === undefined ? sshLostLine(this.host, exitCode) : undefined;
    if (lost !== undefined) this.log.append(lost);
    this.outcome ??= { kind: 'exited', exitCode, signal };
  }

  private describeExit(): string {
    const tail = this.log.tail();
    return tail === '' ? this.exitDescription : `${this.exitDescription}; xl said:\n${tail}`;
  }
}

/** The guest type in `xl list -l` JSON (`[{ "domid": N, "config": { "c_info": { "type": "pvh" } } }]`). */
export function domainTypeFromJson(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const first = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
    const type = (first as { config?: { c_info?: { type?: unknown } } } | undefined)?.config?.c_info?.type;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}
