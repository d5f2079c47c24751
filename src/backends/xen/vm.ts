import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { guestTypeOf, type XenGuestType } from './devices.ts';
import type { Host, HostProcess } from '../../hosts/host.ts';
import { HvbError } from '../../util/errors.ts';
import { firstLine } from '../../util/first-line.ts';
import type { EventCounts, VmmUsage, VmSpec } from '../common/backend.ts';
import { LifecycleVm } from '../common/lifecycle-vm.ts';
import { VmLifecycle, type VmmEnding } from '../common/vm-lifecycle.ts';
import { startedVmm, type StartedProcess } from '../common/vmm-spawn.ts';
import { buildXenConfig } from './config.ts';
import { xenExit } from './exit.ts';
import { parseXlList, parseXlMonitorLine, type XlMonitorEvent } from './info.ts';
import { xenRamdisk } from './ramdisk.ts';
import { parseXentop } from './xentop.ts';

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

/** The source of a Xen domain's counts: its paravirtual I/O counters as xentop shows them in dom0. */
export const XENTOP_SOURCE = 'xentop';
/** Why Xen's exits are not among its counts (docs/overhead.md). */
export const XEN_EXITS_NOT_COUNTED =
  "Xen's exits are not counted: its trace (xentrace) needs xenalyze to summarise, which Debian's xen-utils does not ship, and xl has no exit counters";
/** One xentop reading must be done within this (0.2 s in the lab). */
const XENTOP_TIMEOUT_MS = 30_000;

/** The longest a start barrier's release may take (two short commands in dom0). */
const RELEASE_TIMEOUT_MS = 30_000;

/** The longest hvbench waits for a stopped guest's console to drain. */
const DRAIN_MAX_MS = 5_000;
/** One xl command (list, destroy) must be done within this. */
const XL_EXEC_TIMEOUT_MS = 60_000;
/** kill() reads the domain's usage first (`xl list`, over ssh), but does not wait longer than this for it. */
const USAGE_READ_TIMEOUT_MS = 5_000;

/**
 * A domain name that is unique and recognisable: `hvb-`, the VM's name in lower-case
 * letters, digits and `-` (at most 32 characters), and 8 random hex digits.
 */
export function xenDomainName(vmName: string, random: string = randomBytes(4).toString('hex')): string {
  const slug = vmName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
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
  const type = guestTypeOf(vm.variant);
  const domain = xenDomainName(vm.name);
  const bridge = options.bridge === undefined ? {} : { bridge: options.bridge };
  // Refuse an impossible spec before anything is copied or created.
  buildXenConfig(vm, { domain, kernel: vm.kernel, ramdisk: vm.initramfs, ...bridge });
  const kernel = await host.putFile(vm.kernel);
  const ramdisk = await host.putFile(await (options.ramdisk ?? xenRamdisk)(vm.initramfs, type));
  const config = buildXenConfig(vm, { domain, kernel, ramdisk, ...bridge });
  const dir = await host.makeTempDir('hvbench-xen-');
  const configPath = posix.join(dir, `${domain}.cfg`);
  let spawned: HostProcess;
  try {
    await host.writeFile(configPath, config);
    spawned = host.spawn([...xl, 'create', '-F', '-c', '-f', configPath], { detached: true });
  } catch (error) {
    await host.removeTree(dir).catch(() => {});
    throw error;
  }
  const child = await startedVmm(
    spawned,
    xl.join(' '),
    () => host.removeTree(dir),
    'install the Xen tools in dom0 (Debian: xen-utils) or check the xl command',
  );
  const xenVm = new XenVm(host, child, { ...options, dir, domain, type, xl });
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
export class XenVm extends LifecycleVm {
  accel = 'unknown';
  domid: number | undefined;
  readonly domain: string;
  readonly pid: number;
  protected readonly life: VmLifecycle;
  private peakMemKiB = 0;
  /** The end after the guest stopped itself (usage, console, destroy), while it runs. */
  private stopping: Promise<void> | undefined;
  private destroying: Promise<void> | undefined;
  private onRunning: ((domid: number) => void) | undefined;
  private consoleProblem: string | undefined;

  constructor(
    private readonly host: Host,
    child: StartedProcess,
    private readonly params: XenVmParams,
  ) {
    super();
    this.domain = params.domain;
    this.pid = child.pid;
    this.life = new VmLifecycle(
      this,
      {
        name: 'xl',
        readUsage: () => this.readUsage(),
        killing: () => this.ending('after xl destroy', () => this.destroyDomain()),
        // Whatever ended xl, the domain must not outlive the VM (a no-op when already gone).
        cleanUp: async () => {
          await this.stopping?.catch(() => {});
          await this.destroyDomain();
        },
        onStderrLine: (line) => {
          const event = parseXlMonitorLine(line);
          if (event) this.onMonitorEvent(event);
        },
      },
      { host, process: child, tempDir: params.dir, usageReadTimeoutMs: USAGE_READ_TIMEOUT_MS },
    );
  }

  /**
   * Releases a density case's start barrier by writing the line into the domain's console
   * pty in dom0 (xenconsoled's, named in xenstore at /local/domain/<domid>/console/tty):
   * what is written to the pty goes to the guest's console input. Not through xl's stdin:
   * xenconsole reads its stdin only when it is a terminal, which over SSH it is not.
   */
  async release(token: string): Promise<void> {
    const fail = (why: string) => new HvbError('barrier-input', `cannot release the start barrier of domain ${this.domain}: ${why}`);
    if (this.domid === undefined) throw fail('the domain has no id yet');
    const key = `/local/domain/${this.domid}/console/tty`;
    const read = await this.host.exec(['xenstore-read', key], { timeoutMs: RELEASE_TIMEOUT_MS });
    const tty = read.stdout.trim();
    if (read.exitCode !== 0 || !/^\/dev\/pts\/\d+$/.test(tty)) {
      throw fail(`xenstore-read ${key} gave no console pty (${firstLine(read.stderr) || tty || `exit code ${read.exitCode}`})`);
    }
    const write = await this.host.exec(['dd', `of=${tty}`], { input: `go ${token}\n`, timeoutMs: RELEASE_TIMEOUT_MS });
    if (write.exitCode !== 0) throw fail(`writing to ${tty} failed: ${firstLine(write.stderr) || `exit code ${write.exitCode}`}`);
  }

  /**
   * The domain's paravirtual I/O counters (`run --count-events`) from `xentop -b -i 1 -f` in
   * dom0 (run like xl, with its prefix): blkback's requests and sectors, its waits for a free
   * request, netback's traffic (xentop.ts). Xen's exits are not among them: its trace
   * (xentrace) is a binary stream that needs xenalyze to summarise, which Debian's xen-utils
   * does not ship, and `xl` has no exit counters.
   */
  async countEvents(): Promise<EventCounts> {
    const xentop = [...this.params.xl.slice(0, -1), 'xentop'];
    const r = await this.host.exec([...xentop, '-b', '-i', '1', '-f'], { timeoutMs: XENTOP_TIMEOUT_MS });
    if (r.exitCode !== 0) {
      const said = firstLine(r.stderr) || `exit code ${r.exitCode}`;
      throw new HvbError('event-source', `xentop failed in dom0 (${said}); ${XEN_EXITS_NOT_COUNTED}`, {
        hint: r.exitCode === 127 ? "install xentop in dom0 (Debian: xen-utils-4.17's /usr/lib/xen-4.17/bin/xentop)" : undefined,
      });
    }
    return { source: XENTOP_SOURCE, counts: parseXentop(r.stdout, this.domain) };
  }

  /** @internal Resolves once xl says the domain runs and its type is confirmed. */
  async started(timeoutMs: number): Promise<void> {
    const running = new Promise<number>((resolve) => {
      this.onRunning = resolve;
      if (this.domid !== undefined) resolve(this.domid);
    });
    const exited = this.life.processExit.then(() => {
      throw new HvbError('vmm-exited', `xl create ended before the domain ran: ${this.life.describeExit()}`, {
        hint: "the VMM log above is xl's own explanation; `xl dmesg` on the dom0 may say more",
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new HvbError('vmm-start-timeout', `the domain ${this.domain} was not running ${timeoutMs / 1000} s after xl create`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([running, exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
    if (this.consoleProblem !== undefined)
      throw new HvbError('console-failed', `xl could not attach the guest console: ${this.consoleProblem}`, {
        hint: 'the dom0 needs /var/lock and a running xenconsoled',
      });
    await this.confirmType();
  }

  private onMonitorEvent(event: XlMonitorEvent): void {
    switch (event.kind) {
      case 'running':
        this.domid = event.domid;
        this.onRunning?.(event.domid);
        break;
      case 'shutdown':
        if (this.life.decide(xenExit(event.code))) this.stopping = this.afterGuestStop();
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
    await this.life.freezeUsage();
    await this.life.end(
      this.ending('after the domain was destroyed', async () => {
        await this.life.consoleQuiet(this.params.drainQuietMs ?? XEN_DEFAULTS.drainQuietMs, DRAIN_MAX_MS);
        await this.destroyDomain();
      }),
    );
  }

  /** Ends the domain with `request`; xl must then exit within destroyTimeoutMs, or it is killed. */
  private ending(after: string, request: () => Promise<void>): VmmEnding {
    return { request, timeoutMs: this.params.destroyTimeoutMs ?? XEN_DEFAULTS.destroyTimeoutMs, late: `xl did not exit ${after}; killed` };
  }

  /**
   * The domain's CPU time (all vCPUs, `xl list` Time(s), 0.1 s resolution) as cpuUserS,
   * cpuSystemS 0 (Xen does not split it), and the largest allocation seen (`xl list` Mem)
   * as peakRssKiB. Exact after the guest stopped: the preserved domain's time no longer moves.
   */
  private async readUsage(): Promise<VmmUsage | undefined> {
    const listed = await this.xl(['list', this.domain]).catch(() => undefined);
    const row = listed?.exitCode === 0 ? parseXlList(listed.stdout).find((r) => r.name === this.domain) : undefined;
    if (!row) return undefined;
    this.peakMemKiB = Math.max(this.peakMemKiB, row.memMiB * 1024);
    return { pid: this.pid, cpuUserS: row.cpuS, cpuSystemS: 0, peakRssKiB: this.peakMemKiB };
  }

  /** `xl destroy <domain>`, once; a domain that is already gone is fine. */
  private destroyDomain(): Promise<void> {
    this.destroying ??= (async () => {
      const r = await this.xl(['destroy', this.domain]).catch((error: unknown) => ({ exitCode: -1, stdout: '', stderr: String(error) }));
      if (r.exitCode !== 0 && !/invalid domain identifier|not found|no such domain/i.test(r.stderr)) {
        this.life.log.append(`hvbench: xl destroy ${this.domain} failed (exit ${r.exitCode}): ${r.stderr.trim()}\n`);
      }
    })();
    return this.destroying;
  }

  /** Reads the domain's type from `xl list -l` (libxl's own record), never from the request. */
  private async confirmType(): Promise<void> {
    const r = await this.xl(['list', '-l', this.domain]);
    const type = r.exitCode === 0 ? domainTypeFromJson(r.stdout) : undefined;
    if (type === undefined) {
      this.life.log.append(`hvbench: could not read the domain type from xl list -l (exit ${r.exitCode}): ${r.stderr.trim()}\n`);
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
