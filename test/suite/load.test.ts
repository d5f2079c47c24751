import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandSuite } from '../../src/suite/expand.ts';
import { loadSuite } from '../../src/suite/load.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { deps } from './fake-workloads.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const defineTs = fileURLToPath(new URL('../../src/suite/define.ts', import.meta.url));

describe('loadSuite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hvbench-suite-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes a suite file into the temp folder and returns its path. */
  async function suiteFile(name: string, body: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, `import { defineSuite } from ${JSON.stringify(defineTs)};\n${body}\n`);
    return file;
  }

  it('loads the default export of a suite file that imports from the package', async () => {
    const suite = await loadSuite(fixture('quick.ts'), deps);
    expect(suite).toMatchObject({ name: 'quick', backends: ['tcg'], repetitions: 3, warmup: 0 });
    expect(suite.workloads).toEqual([
      { workload: 'cpu', params: { threads: [1, 2], timeSec: [5] } },
      { workload: 'boot', params: {} },
    ]);
  });

  it('validates against the real workload registry', async () => {
    const real = { workloads, backends: ['tcg', 'kvm', 'xen', 'native'] };
    const suite = await loadSuite(fixture('quick.ts'), real);
    expect(expandSuite(suite, real).map((c) => c.id)).toEqual(['tcg/cpu/threads=1,timeSec=5', 'tcg/cpu/threads=2,timeSec=5', 'tcg/boot']);
  });

  it('accepts an export named suite', async () => {
    expect((await loadSuite(fixture('named-export.ts'), deps)).name).toBe('named');
  });

  it('loads a TypeScript file from anywhere', async () => {
    const file = await suiteFile(
      'anywhere.ts',
      `const n: number = 2;\nexport default defineSuite({ name: 'anywhere', repetitions: n, workloads: [{ workload: 'boot' }] });`,
    );
    expect((await loadSuite(file, deps)).repetitions).toBe(2);
  });

  it('reports field errors with the file as given', async () => {
    const file = await suiteFile(
      'bad.ts',
      `export default defineSuite({ name: 'bad', workloads: [{ workload: 'cpu', params: { threads: 'two' as unknown as number } }] });`,
    );
    const relative = path.relative(process.cwd(), file);
    await expect(loadSuite(relative, deps)).rejects.toThrow(`${relative}: workloads[0].params.threads: expected an integer ≥ 1, received "two"`);
  });

  it('checks parameter values at load time, not only the structure', async () => {
    const file = await suiteFile('late.ts', `export default { name: 'late', workloads: [{ workload: 'disk', params: { iodepth: [1, 0] } }] };`);
    await expect(loadSuite(file, deps)).rejects.toMatchObject({
      code: 'suite-invalid',
      message: `${file}: workloads[0].params.iodepth: expected an integer from 1 to 256, received 0`,
    });
  });

  it('says when the file does not exist', async () => {
    await expect(loadSuite('suites/nope.ts', deps)).rejects.toMatchObject({ code: 'suite-not-found', message: 'suites/nope.ts: no such suite file' });
  });

  it('says when the path is a folder', async () => {
    await expect(loadSuite(dir, deps)).rejects.toMatchObject({ code: 'suite-not-found', message: `${dir}: is not a file` });
  });

  it('says when the file throws while loading, keeping the cause', async () => {
    const error = await loadSuite(fixture('throws.ts'), deps).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'suite-import', message: expect.stringContaining('boom while building the suite') });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('says when the file has a syntax error', async () => {
    const file = await suiteFile('syntax.ts', 'export default defineSuite({ name: ');
    await expect(loadSuite(file, deps)).rejects.toMatchObject({
      code: 'suite-import',
      message: expect.stringContaining(`${file}: the suite file failed to load`),
    });
  });

  it('says when nothing suitable is exported, listing what is', async () => {
    await expect(loadSuite(fixture('no-export.ts'), deps)).rejects.toMatchObject({
      code: 'suite-no-export',
      message: `${fixture('no-export.ts')}: no suite exported (found exports somethingElse)`,
      hint: expect.stringContaining('export default defineSuite'),
    });
  });
});
