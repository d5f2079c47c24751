import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../../src/guest/cache.ts';
import { labDown, labStatus } from '../../src/labs/lab.ts';
import { processArgv, processGone } from '../../src/util/proc.ts';
import type { LabName } from '../../src/labs/recipe.ts';
import { labProcessAlive, labPaths, readLabState, type LabState } from '../../src/labs/state.ts';
import { REPO, hvbench } from '../support/cli.ts';

// `hvbench lab … up` interrupted by SIGINT or SIGTERM while the lab boots (or while its image
// is built): the real CLI, run as `node bin/hvbench.js` so the signal reaches hvbench itself
// (a lab's QEMU daemonizes into its own session: no terminal Ctrl-C reaches it, only hvbench
// can stop it). Each lab runs in a state folder of its own; the images come from the shared
// cache (built here on first use, hence the generous timeouts). Cached, the file takes well
// under a minute: each lab is interrupted seconds after its QEMU starts.
const MINUTES = 60_000;
const BIN = fileURLToPath(new URL('../../bin/hvbench.js', import.meta.url));
/** hvbench's own deadline after the first signal is 15 s; the lab must be gone well before it. */
const STOP_LIMIT_MS = 12_000;

let stateRoot: string;
let buildCache: string;
const children: ResultPromise[] = [];

beforeAll(async () => {
  stateRoot = await mkdtemp(join(tmpdir(), 'hvb-lab-int-'));
  buildCache = await mkdtemp(join(tmpdir(), 'hvb-lab-int-cache-'));
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const lab of ['kvm', 'xen'] as const) {
    await labDown(lab, { stateRoot }).catch(() => {});
    await labDown(lab, { stateRoot: join(buildCache, 'state') }).catch(() => {});
  }
  // Only processes naming our own folders (nothing of anybody else's).
  for (const pid of [...processesMentioning(stateRoot), ...processesMentioning(buildCache)]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  await rm(stateRoot, { recursive: true, force: true });
  await rm(buildCache, { recursive: true, force: true });
}, 2 * MINUTES);

/** Pids of live processes whose command line mentions `text` (a lab's QEMU names its state folder). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => pid !== process.pid && !processGone(pid) && (processArgv(pid) ?? []).some((a) => a.includes(text)));
}

async function until<T>(what: string, ms: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `node bin/hvbench.js lab <lab> up` with its own state root; the child is hvbench's node process itself. */
function startUp(lab: LabName, env: Record<string, string>) {
  const child = execa('node', [BIN, 'lab', lab, 'up'], { cwd: REPO, reject: false, env: { CI: '1', ...env }, all: true, timeout: 20 * MINUTES });
  children.push(child);
  const output = { text: '' };
  child.all.on('data', (d: Buffer) => (output.text += d.toString()));
  return { child, output };
}

/** What every interrupted boot must leave: exit 130, the reason on stderr, no process of the lab, no state, status down. */
async function expectLabStopped(lab: LabName, ended: Awaited<ResultPromise>, log: string) {
  expect(ended.exitCode, log).toBe(130);
  expect(ended.stderr).toMatch(new RegExp(`hvbench: interrupted: lab-${lab} was stopped before it finished booting`));
  expect(ended.stdout).not.toMatch(/is up/);
  await until('no process naming the state folder', 5_000, () => (processesMentioning(stateRoot).length === 0 ? true : undefined));
  expect(existsSync(labPaths(stateRoot, lab).dir)).toBe(false);
  expect(await labStatus(lab, { stateRoot, checkSsh: false })).toMatchObject({ up: false });
  const status = await hvbench(['lab', lab, 'status', '--json'], { env: { HVBENCH_LABS: stateRoot } });
  expect(status.exitCode, status.stderr).toBe(0);
  expect(JSON.parse(status.stdout)).toEqual({ lab, host: `lab-${lab}`, up: false });
}

describe('lab up interrupted', () => {
  it('SIGINT while lab-kvm boots: its QEMU is stopped, its state removed, exit 130; another up meanwhile left it alone', {
    timeout: 15 * MINUTES,
  }, async () => {
    const { child, output } = startUp('kvm', { HVBENCH_LABS: stateRoot });
    // Booting: the daemonized QEMU runs and the state names it (the image was built or found first).
    const state = await until<LabState>('lab-kvm to boot', 12 * MINUTES, async () => {
      const s = await readLabState(stateRoot, 'kvm');
      return s && labProcessAlive(s) && processesMentioning(stateRoot).includes(s.pid) ? s : undefined;
    });
    expect(state.readyAt).toBeUndefined();

    // A second `up` sees a lab being booted and leaves it be.
    const second = await hvbench(['lab', 'kvm', 'up'], { env: { HVBENCH_LABS: stateRoot } });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toContain(`lab-kvm is being booted by another \`hvbench lab kvm up\` (QEMU pid ${state.pid}); nothing to do`);
    expect(labProcessAlive(state)).toBe(true);

    const t0 = Date.now();
    child.kill('SIGINT');
    const ended = await child;
    const stopMs = Date.now() - t0;
    process.stderr.write(`lab-kvm: SIGINT ${((t0 - Date.parse(state.startedAt)) / 1000).toFixed(1)} s after QEMU started; hvbench exited ${stopMs} ms later\n`);
    expect(stopMs).toBeLessThan(STOP_LIMIT_MS);
    expect(ended.stderr).toMatch(/hvbench: SIGINT — stopping lab-kvm, which has not finished booting/);
    await expectLabStopped('kvm', ended, output.text);
    expect(processGone(state.pid)).toBe(true);
  });

  it("SIGTERM as soon as lab-xen's QEMU starts: the same", { timeout: 15 * MINUTES }, async () => {
    const { child, output } = startUp('xen', { HVBENCH_LABS: stateRoot });
    // The first QEMU naming the state folder may still be daemonizing (no state written yet).
    // Only QEMU counts: ssh-keygen, run just before it, names the state folder too.
    const qemus = await until("lab-xen's QEMU", 12 * MINUTES, () => {
      const found = processesMentioning(stateRoot).filter((pid) => /qemu-system/.test(processArgv(pid)?.[0] ?? ''));
      return found.length > 0 ? found : undefined;
    });
    const t0 = Date.now();
    child.kill('SIGTERM');
    const ended = await child;
    const stopMs = Date.now() - t0;
    process.stderr.write(`lab-xen: SIGTERM with QEMU process(es) ${qemus.join(', ')} running; hvbench exited ${stopMs} ms later\n`);
    expect(stopMs).toBeLessThan(STOP_LIMIT_MS);
    await expectLabStopped('xen', ended, output.text);
    for (const pid of qemus) expect(processGone(pid)).toBe(true);
  });

  it('SIGTERM while the lab image is being built: its temporary folder is removed, no image and no lab', { timeout: 5 * MINUTES }, async () => {
    // An empty image cache of its own (so the image is built), with the shared package cache
    // linked in (so nothing needs downloading when it is warm).
    const shared = defaultCacheDir();
    for (const d of ['debs', 'unpacked']) {
      mkdirSync(join(shared, d), { recursive: true });
      symlinkSync(join(shared, d), join(buildCache, d));
    }
    const images = join(buildCache, 'labs', 'images');
    const state = join(buildCache, 'state');
    const { child, output } = startUp('xen', { HVBENCH_CACHE: buildCache, HVBENCH_LABS: state });
    const tmp = await until("the image's temporary folder", 4 * MINUTES, () => {
      const found = existsSync(images) ? readdirSync(images).filter((n) => n.startsWith('.tmp-')) : [];
      return found.length > 0 ? found : undefined;
    });
    const t0 = Date.now();
    child.kill('SIGTERM');
    const ended = await child;
    const stopMs = Date.now() - t0;
    process.stderr.write(`lab-xen image build: SIGTERM with ${tmp.join(', ')} being written; hvbench exited ${stopMs} ms later\n`);
    expect(ended.exitCode, output.text).toBe(130);
    expect(ended.stderr).toMatch(/interrupted/);
    // hvbench's 15 s deadline may cut a long step short: its exit handler removes the folder then.
    expect(stopMs).toBeLessThan(16_000);
    expect(readdirSync(images)).toEqual([]);
    expect(existsSync(join(state, 'xen'))).toBe(false);
    await until('no process naming the cache folder', 5_000, () => (processesMentioning(buildCache).length === 0 ? true : undefined));
  });
});
