import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Backend, RunningVm, VmExit, VmSpec } from '../../src/backends/common/backend.ts';
import { decodeJob } from '../../src/guest/protocol/job.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import type { Host } from '../../src/hosts/host.ts';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';

/**
 * A backend that boots nothing: it reads the job from the command line and plays a
 * scripted guest on the console. For runner unit tests only; every real backend has its
 * own end-to-end test. A job with a start barrier (or an end hold) stops after the script's
 * line with `barrier=waiting` (`hold=waiting`) until release() gets the guest's nonce, as the
 * agent does.
 */
export type GuestScript = (say: (line: string) => void, nonce: string, spec: VmSpec) => { exit?: VmExit; hang?: boolean } | void;

export function fakeBackend(
  script: GuestScript,
  name = 'fake',
  like: Backend = tcgBackend,
): Backend & { launched: VmSpec[]; killed: string[]; released: string[] } {
  const launched: VmSpec[] = [];
  const killed: string[] = [];
  const released: string[] = [];
  return {
    name,
    // What the runner asks of a backend besides booting: the declarations of a real one (QEMU's unless told).
    ...(like.variants ? { variants: like.variants } : {}),
    devices: (variant) => like.devices(variant),
    network: like.network,
    ...(like.label === undefined ? {} : { label: like.label }),
    ...(like.bridgeWhere === undefined ? {} : { bridgeWhere: like.bridgeWhere }),
    ...(like.diskDirectIo === undefined ? {} : { diskDirectIo: like.diskDirectIo }),
    factDims: like.factDims,
    ...(like.startBarrier ? { startBarrier: true } : {}),
    launched,
    killed,
    released,
    probe: async () => ({ backend: name, available: true, reason: 'fake', facts: {} }),
    async launch(spec: VmSpec, _host: Host): Promise<RunningVm> {
      launched.push(spec);
      const { nonce, barrier, hold } = decodeJob(spec.cmdline);
      let afterBarrier: (() => void) | undefined;
      const listeners: ((chunk: string) => void)[] = [];
      let resolveExit!: (e: VmExit) => void;
      const exited = new Promise<VmExit>((r) => (resolveExit = r));
      let ended = false;
      const end = (e: VmExit) => {
        if (!ended) resolveExit(e);
        ended = true;
      };
      setTimeout(() => {
        const lines: string[] = [];
        const result = script((l) => lines.push(l), nonce, spec) ?? {};
        const play = (ls: string[]) => {
          for (const l of ls) for (const f of listeners) f(`${l}\n`);
          if (!result.hang) end(result.exit ?? { kind: 'shutdown', reason: 'guest-shutdown' });
        };
        const waitAt = lines.findIndex((l) => (barrier && l.includes('barrier=waiting')) || (hold && l.includes('hold=waiting')));
        if (waitAt < 0) return play(lines);
        // Set before the waiting line is said: the last guest to wait is released at once.
        afterBarrier = () => play(lines.slice(waitAt + 1));
        for (const l of lines.slice(0, waitAt + 1)) for (const f of listeners) f(`${l}\n`);
      }, 5);
      return {
        pid: 4242,
        accel: 'fake',
        onConsole: (l) => listeners.push(l),
        wait: () => exited,
        kill: async (reason) => {
          killed.push(reason);
          end({ kind: 'killed', reason });
        },
        usage: async () => ({ pid: 4242, cpuUserS: 1.5, cpuSystemS: 0.5, peakRssKiB: 204800 }),
        vmmLog: () => '',
        release: async (token) => {
          if (token !== nonce) throw new Error(`go with the wrong nonce for ${spec.name}`);
          released.push(spec.name);
          const go = afterBarrier;
          afterBarrier = undefined;
          if (!ended) setTimeout(() => go?.(), 1);
        },
      };
    },
  };
}

/** The agent's `end` frame of a step that printed `output`. */
export function endFrame(nonce: string, step: string, output: string, exitCode = 0, ms = 1000): string {
  return `HVB ${nonce} end ${step} exit=${exitCode} ms=${ms} bytes=${Buffer.byteLength(output)} sha256=${createHash('sha256').update(output).digest('hex')}`;
}

/** The console transcript of a guest that runs one step and prints `output`. */
export function stepTranscript(say: (l: string) => void, nonce: string, step: string, output: string, exitCode = 0): void {
  say('[    0.000000] Linux version 6.1.0-test');
  say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test`);
  say(`HVB ${nonce} out ${step} ${Buffer.from(output).toString('base64')}`);
  say(endFrame(nonce, step, output, exitCode));
  if (exitCode !== 0) say(`HVB ${nonce} error step ${step} exited with status ${exitCode}`);
  say(`HVB ${nonce} done`);
}

/** fio's real JSON report of one job on virtio-blk (test/workloads/fixtures). */
const fioReport = (id: string) => readFileSync(new URL(`../workloads/fixtures/fio-${id}-virtio-blk.json`, import.meta.url), 'utf8');

/**
 * The console transcript of a guest that finds its scratch disk (bound by the driver chain
 * `chain`) and runs the disk workload's four fio jobs, each report printed by its own step.
 */
export function fioDiskTranscript(say: (l: string) => void, nonce: string, chain: string): void {
  say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test`);
  say(`HVB ${nonce} fact disk=vda disk_drivers=${chain} disk_sectors=131072`);
  for (const id of ['seqread', 'seqwrite', 'randread', 'randwrite']) {
    say(endFrame(nonce, id, '', 0, 2000));
    say(`HVB ${nonce} out ${id}-report ${Buffer.from(fioReport(id)).toString('base64')}`);
    say(endFrame(nonce, `${id}-report`, fioReport(id), 0, 3));
  }
  say(`HVB ${nonce} done`);
}

/** A guest image that exists only as a record (the fake backend boots nothing), offering `tools`. */
export function fakeImage(tools: string[] = ['sysbench']): GuestImage {
  return {
    kernel: '/k',
    initramfs: '/i',
    hash: 'abc',
    dir: 'd',
    manifest: { id: 'm1', kernel: { version: '6.1.0-test' }, initramfs: { sha256: 'b'.repeat(64), bytes: 1 }, segments: [], tools },
  } as unknown as GuestImage;
}
