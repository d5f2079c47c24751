import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDynamicInfo } from '../../src/guest/elf.ts';
import { compileProgram, hostToolchain, programSource } from '../../src/guest/programs.ts';
import { PROGRAMS } from '../../src/guest/recipe.ts';

// Compiles hvb-micro with this machine's gcc, as the image builder does.
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hvb-programs-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('guest programs', () => {
  it('names the toolchain that decides the binary', async () => {
    const t = await hostToolchain();
    expect(t.compiler).toMatch(/^gcc .*\d+\.\d+/);
    expect(t.libc).toMatch(/^libc6-dev \d/);
  });

  it('compiles hvb-micro statically, the same bytes every time, and the binary runs', { timeout: 120_000 }, async () => {
    const a = await compileProgram(PROGRAMS.micro);
    const b = await compileProgram(PROGRAMS.micro);
    expect(a.argv).toEqual(['gcc', '-O2', '-static', '-s', '-o', 'hvb-micro', 'hvb-micro.c']);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    const info = readDynamicInfo(a.bytes, 'hvb-micro');
    expect(info.interpreter).toBeUndefined();
    expect(info.needed).toEqual([]);
    // No path of the build machine is in the binary.
    expect(a.bytes.includes(Buffer.from(work))).toBe(false);
    expect(a.bytes.includes(Buffer.from('/src/guest/'))).toBe(false);
    const bin = join(work, 'hvb-micro');
    await writeFile(bin, a.bytes, { mode: 0o755 });
    expect(execFileSync(bin, ['--ms', '10', 'rdtsc']).toString()).toMatch(/^rdtsc ns_per_op=[0-9.]+ iterations=\d+ elapsed_ns=\d+\n$/);
  });

  it('hashes the source for the image id', async () => {
    expect((await programSource(PROGRAMS.micro)).sha256).toMatch(/^[0-9a-f]{64}$/);
    await expect(programSource({ ...PROGRAMS.micro, source: 'missing.c' })).rejects.toThrow(/the source of guest program hvb-micro is missing/);
  });

  it('says to install gcc and libc6-dev when the compiler is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = work;
    try {
      await expect(hostToolchain()).rejects.toThrow(
        expect.objectContaining({ code: 'toolchain-missing', hint: 'install the C compiler and the static C library: apt-get install gcc libc6-dev' }),
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
