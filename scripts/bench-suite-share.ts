/**
 * Where a finished run's wall time went: in the workloads' own steps (what is measured),
 * in guest boots (VMM start to the agent's `ready`), and in everything else (hvbench,
 * VMM start-up and shutdown, device and network set-up). For sizing suites: the standard
 * suite aims at ≥ 75 % in the workloads.
 *
 *     npm run bench:share -- results/<run-id>
 *
 * A benchmark, not a test: figures depend on the machine and its load.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openRun } from '../src/results/store.ts';
import { readSamples } from '../src/results/samples-file.ts';

const dir = process.argv[2];
if (dir === undefined) {
  console.error('usage: npm run bench:share -- <run folder>');
  process.exit(2);
}
const run = await openRun(dir);
const { startedAt, endedAt, status } = run.record;
if (endedAt === undefined) throw new Error(`${dir}: the run has not ended (status ${status})`);
const wallS = (Date.parse(endedAt) - Date.parse(startedAt)) / 1000;

// Each repetition's log has a `--- step <id>: exit <n>, <ms> ms ---` line per step (src/runner/run-suite.ts).
let stepsS = 0;
for (const file of await readdir(join(dir, 'logs'))) {
  const text = await readFile(join(dir, 'logs', file), 'utf8');
  for (const m of text.matchAll(/^--- step \S+: exit -?\d+, (\d+) ms ---$/gm)) stepsS += Number(m[1]) / 1000;
}
const bootS = (await readSamples(run)).samples.filter((s) => s.metric === 'boot.to_ready_ms').reduce((sum, s) => sum + s.value / 1000, 0);
const reps = run.record.cases.reduce((n, c) => n + c.usage.length, 0);
const pct = (x: number) => `${((100 * x) / wallS).toFixed(1)} %`;
console.log(`run ${dir} (${status}): ${run.record.cases.length} cases, ${reps} guest boots`);
console.log(`wall time        ${wallS.toFixed(0).padStart(6)} s  (${(wallS / 60).toFixed(1)} min)`);
console.log(`workload steps   ${stepsS.toFixed(0).padStart(6)} s  ${pct(stepsS)}`);
console.log(`boot to ready    ${bootS.toFixed(0).padStart(6)} s  ${pct(bootS)}`);
console.log(`everything else  ${(wallS - stepsS - bootS).toFixed(0).padStart(6)} s  ${pct(wallS - stepsS - bootS)}`);
