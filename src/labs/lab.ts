import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { writeCpioGz } from '../guest/archive-file.ts';
import { defaultCacheDir } from '../guest/cache.ts';
import { HvbError } from '../util/errors.ts';
import { LAB_MACHINE, labQemuArgv } from './argv.ts';
import { makeScratchFilesystem } from './scratch-fs.ts';
import { trackBootingLab } from './booting.ts';
import { buildLabImage } from './build.ts';
import { consoleTail, parseLabConsole } from './console.ts';
import { bootSegmentEntries } from './entries.ts';
import type { LabImage } from './manifest.ts';
import { processGone, processStart } from '../util/proc.ts';
import { labRecipe, type LabName } from './recipe.ts';
import { generateKeyPair, knownHostsLine, sshRun } from './ssh.ts';
import {
  LAB_HOSTS,
  defaultLabStateRoot,
  labHostConfig,
  labPaths,
  labProcessAlive,
  readLabState,
  removeLabState,
  writeLabState,
  type LabState,
} from './state.ts';

export interface LabOptions {
  /** Lab images and downloaded packages. Default: defaultCacheDir(). */
  cacheDir?: string;
  /** Per-lab state folders. Default: `<cache>/labs`. */
  stateRoot?: string;
  /** Xen lab: include the device model for HVM guests. */
  hvm?: boolean;
  log?: (line: string) => void;
  /**
   * Interrupts the image build or the boot: a lab that has not finished booting is taken
   * down (QEMU stopped, state folder removed) and labUp throws HvbError code 'interrupted'.
   */
  signal?: AbortSignal;
  /** From QEMU's start to the ready marker. Default 300 s (2 cores shared with other work). */
  readyTimeoutMs?: number;
  /** From the ready marker until SSH answers. Default 180 s. */
  sshTimeoutMs?: number;
}

export interface LabUpResult {
  state: LabState;
  alreadyUp: boolean;
  image?: LabImage;
  /** Milliseconds: image build (or cache check), QEMU start to ready marker, to SSH answering. */
  timings?: { imageMs: number; readyMs: number; sshMs: number };
}

const POLL_MS = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rootOf = (o: LabOptions) => o.stateRoot ?? (o.cacheDir ? `${o.cacheDir}/labs` : defaultLabStateRoot());

/**
 * Boots a lab under QEMU TCG, detached, and waits until its SSH server answers with the
 * host key it printed on its console. A lab that is already up is left alone.
 */
export async function labUp(lab: LabName, opts: LabOptions = {}): Promise<LabUpResult> {
  const stateRoot = rootOf(opts);
  const log = opts.log ?? (() => {});
  const current = await readLabState(stateRoot, lab);
  // Someone else's lab (up, or being booted by another process): never ours to stop, interrupted or not.
  if (current && labProcessAlive(current)) return { state: current, alreadyUp: true };
  checkAborted(opts.signal, `interrupted before lab-${lab} was started; nothing was left running`);
  // Leftovers of a lab that died or a boot that never finished.
  await labDown(lab, { stateRoot });

  const t0 = Date.now();
  const image = await buildLabImage(labRecipe(lab, { hvm: opts.hvm ?? false }), {
    cacheDir: opts.cacheDir ?? defaultCacheDir(),
    log,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const imageMs = Date.now() - t0;
  const paths = labPaths(stateRoot, lab);
  // From here until SSH answers the lab is this process's to take down, should it exit early.
  const booting = trackBootingLab(paths);
  let state: LabState | undefined;
  try {
    checkAborted(opts.signal, `interrupted before lab-${lab} was started; nothing was left running`);
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
    await chmod(paths.dir, 0o700);
    const publicKey = await generateKeyPair(paths.identityFile);
    const nonce = randomBytes(12).toString('hex');
    await writeCpioGz(bootSegmentEntries(nonce, publicKey), paths.bootArchive);
    await concatenate([image.initramfs, paths.bootArchive], paths.initrd);
    if (lab === 'kvm') await makeScratchFilesystem(paths.scratchDisk, LAB_MACHINE.scratchDiskGiB);
    checkAborted(opts.signal, `interrupted before lab-${lab} was started; nothing was left running`);

    log(`booting lab-${lab} under QEMU TCG`);
    const t1 = Date.now();
    const { pid, port } = await startQemu(lab, image, paths);
    const pidStartTicks = processStart(pid) ?? 0;
    booting.started(pid, pidStartTicks);
    state = {
      format: 1,
      lab,
      variant: image.manifest.variant,
      pid,
      pidStartTicks,
      startedAt: new Date(t1).toISOString(),
      port,
      identityFile: paths.identityFile,
      knownHostsFile: paths.knownHosts,
      consoleLog: paths.consoleLog,
      imageId: image.manifest.id,
      imageHash: image.hash,
      kernelVersion: image.manifest.kernel.version,
      nonce,
    };
    await writeLabState(stateRoot, state);

    const facts = await waitForConsole(state, opts);
    const readyMs = Date.now() - t1;
    const hostKey = facts.hostKey as { type: string; key: string };
    await writeFile(paths.knownHosts, knownHostsLine(port, hostKey.type, hostKey.key), { mode: 0o600 });
    log(`lab-${lab} is at its ready marker after ${(readyMs / 1000).toFixed(1)} s; waiting for SSH on 127.0.0.1:${port}`);
    await waitForSsh(state, opts);
    const sshMs = Date.now() - t1;
    state = { ...state, readyAt: new Date().toISOString() };
    await writeLabState(stateRoot, state);
    booting.done();
    return { state, alreadyUp: false, image, timings: { imageMs, readyMs, sshMs } };
  } catch (e) {
    const interrupted = opts.signal?.aborted === true || (e instanceof HvbError && e.code === 'interrupted');
    const tail = state && !interrupted ? await consoleTail(state.consoleLog) : '';
    // An interrupted boot has nothing worth a graceful stop: a short grace, then SIGKILL.
    await labDown(lab, { stateRoot, ...(interrupted ? { graceMs: 3_000 } : {}) });
    booting.done();
    if (interrupted) {
      throw new HvbError(
        'interrupted',
        state
          ? `interrupted: lab-${lab} was stopped before it finished booting (its QEMU, pid ${state.pid}, is gone and its state folder removed)`
          : `interrupted before lab-${lab} was started; nothing was left running`,
        { cause: e },
      );
    }
    if (e instanceof HvbError && tail && !e.message.includes('console')) {
      throw new HvbError(e.code, `${e.message}\nlast console lines of lab-${lab}:\n${tail}`, { ...(e.hint ? { hint: e.hint } : {}), cause: e });
    }
    throw e;
  }
}

/** Writes the files one after the other into `target` (the kernel unpacks concatenated archives in turn). */
async function concatenate(sources: string[], target: string): Promise<void> {
  const out = createWriteStream(target, { mode: 0o600 });
  for (const [i, source] of sources.entries()) await pipeline(createReadStream(source), out, { end: i === sources.length - 1 });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freeLoopbackPort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts QEMU detached; retries with another port when the chosen one was taken meanwhile. */
async function startQemu(lab: LabName, image: LabImage, paths: ReturnType<typeof labPaths>): Promise<{ pid: number; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    await rm(paths.consoleLog, { force: true });
    await rm(paths.pidFile, { force: true });
    const files = {
      kernel: image.kernel,
      initrd: paths.initrd,
      consoleLog: paths.consoleLog,
      pidFile: paths.pidFile,
      ...(image.hypervisor ? { hypervisor: image.hypervisor } : {}),
      ...(lab === 'kvm' ? { scratchDisk: paths.scratchDisk } : {}),
    };
    const [file, ...args] = labQemuArgv(lab, files, port);
    // With -daemonize the first process exits once the VM is set up; the daemon keeps running.
    const r = await execa(file as string, args, { reject: false, stdin: 'ignore', timeout: 60_000, env: { LC_ALL: 'C' } });
    if ((r.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      throw new HvbError('command-missing', `${file} is needed to boot the lab but was not found`, { hint: 'install qemu-system-x86' });
    }
    const stderr = String(r.stderr ?? '').trim();
    if (r.exitCode !== 0) {
      if (attempt < 3 && /host forwarding|hostfwd/i.test(stderr)) continue;
      throw new HvbError('lab-start-failed', `QEMU did not start lab-${lab} (exit ${r.exitCode ?? r.signal ?? 'unknown'}):\n${stderr}`);
    }
    const pid = Number((await readFile(paths.pidFile, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new HvbError('lab-start-failed', `QEMU started lab-${lab} but wrote no pid file`);
    return { pid, port };
  }
}

function checkAborted(signal: AbortSignal | undefined, message: string): void {
  if (signal?.aborted) throw new HvbError('interrupted', message);
}

/** Resolves after `ms`, or at once when `signal` is aborted. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return sleep(ms).then(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Polls the console log for this boot's host key and ready marker. */
async function waitForConsole(state: LabState, opts: LabOptions) {
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 300_000);
  for (;;) {
    checkAborted(opts.signal, `starting lab-${state.lab} was interrupted`);
    const facts = parseLabConsole(await readFile(state.consoleLog, 'utf8').catch(() => ''), state.nonce);
    if (facts.error) throw new HvbError('lab-boot-failed', `lab-${state.lab} failed to boot: ${facts.error}\nconsole:\n${await consoleTail(state.consoleLog)}`);
    if (facts.ready !== undefined && facts.hostKey) return facts;
    if (!labProcessAlive(state)) {
      throw new HvbError('lab-boot-failed', `QEMU of lab-${state.lab} exited during the boot; last console lines:\n${await consoleTail(state.consoleLog)}`);
    }
    if (Date.now() > deadline) {
      throw new HvbError(
        'lab-boot-timeout',
        `lab-${state.lab} printed no ready marker within ${((opts.readyTimeoutMs ?? 300_000) / 1000).toFixed(0)} s; last console lines:\n${await consoleTail(state.consoleLog)}`,
        {
          hint: 'the machine may be busy (TCG boots slowly on few cores); try again, or look at the console log',
        },
      );
    }
    await pause(POLL_MS, opts.signal);
  }
}

/** Polls `ssh … true` until it succeeds: the first connection can take tens of seconds on a busy machine. */
async function waitForSsh(state: LabState, opts: LabOptions): Promise<void> {
  const target = labHostConfig(state);
  const deadline = Date.now() + (opts.sshTimeoutMs ?? 180_000);
  let last = '';
  for (;;) {
    checkAborted(opts.signal, `starting lab-${state.lab} was interrupted`);
    const r = await sshRun(target, ['true'], 60_000, opts.signal);
    if (r.exitCode === 0) return;
    checkAborted(opts.signal, `starting lab-${state.lab} was interrupted`);
    last = r.timedOut ? 'ssh timed out' : r.stderr.trim() || `ssh exit code ${r.exitCode}`;
    if (!labProcessAlive(state)) throw new HvbError('lab-boot-failed', `QEMU of lab-${state.lab} exited while waiting for SSH (${last})`);
    if (Date.now() > deadline) {
      throw new HvbError(
        'lab-ssh-timeout',
        `lab-${state.lab} booted but SSH on 127.0.0.1:${state.port} did not answer within ${((opts.sshTimeoutMs ?? 180_000) / 1000).toFixed(0)} s: ${last}`,
      );
    }
    await pause(1000, opts.signal);
  }
}

export interface LabStatus {
  lab: LabName;
  host: string;
  up: boolean;
  state?: LabState;
  uptimeSec?: number;
  /** Whether `ssh … true` succeeded just now (only asked when the lab is up). */
  sshAnswers?: boolean;
  sshProblem?: string;
}

export async function labStatus(lab: LabName, opts: Pick<LabOptions, 'stateRoot' | 'cacheDir'> & { checkSsh?: boolean } = {}): Promise<LabStatus> {
  const host = LAB_HOSTS[lab].host;
  const state = await readLabState(rootOf(opts), lab);
  if (!state || !labProcessAlive(state)) return { lab, host, up: false };
  const uptimeSec = Math.max(0, Math.round((Date.now() - Date.parse(state.startedAt)) / 1000));
  const status: LabStatus = { lab, host, up: true, state, uptimeSec };
  if (opts.checkSsh ?? true) {
    const r = await sshRun(labHostConfig(state), ['true'], 60_000);
    status.sshAnswers = r.exitCode === 0;
    if (!status.sshAnswers) status.sshProblem = r.timedOut ? 'timed out' : r.stderr.trim() || `exit code ${r.exitCode}`;
  }
  return status;
}

/**
 * Stops the lab's QEMU (SIGTERM, then SIGKILL) and removes its state folder. Also cleans up
 * after a lab whose QEMU already died. Returns whether a QEMU was running.
 */
export async function labDown(
  lab: LabName,
  opts: Pick<LabOptions, 'stateRoot' | 'cacheDir'> & { /** How long QEMU gets after SIGTERM before SIGKILL. Default 10 s. */ graceMs?: number } = {},
): Promise<{ wasUp: boolean }> {
  const stateRoot = rootOf(opts);
  const paths = labPaths(stateRoot, lab);
  const state = await readLabState(stateRoot, lab);
  let target = state && labProcessAlive(state) ? state.pid : undefined;
  if (!state) {
    // A boot interrupted before its state was written: the pid file QEMU wrote names it.
    const pid = Number((await readFile(paths.pidFile, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(pid) && pid > 0) {
      const ticks = processStart(pid);
      if (ticks !== undefined && labProcessAlive({ pid, pidStartTicks: ticks, consoleLog: paths.consoleLog })) target = pid;
    }
  }
  if (target !== undefined) await stopProcess(target, opts.graceMs ?? 10_000);
  await removeLabState(stateRoot, lab);
  return { wasUp: target !== undefined };
}

async function stopProcess(pid: number, graceMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  };
  const waitGone = async (ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (processGone(pid)) return true;
      await sleep(100);
    }
    return processGone(pid);
  };
  signal('SIGTERM');
  if (await waitGone(graceMs)) return;
  signal('SIGKILL');
  if (!(await waitGone(10_000))) throw new HvbError('lab-stop-failed', `QEMU (pid ${pid}) did not exit after SIGKILL`);
}
