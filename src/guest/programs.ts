import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HvbError } from '../util/errors.ts';
import { CommandFailed, runCommand } from './command.ts';
import type { RecipeProgram } from './image.ts';

/** Where hvbench keeps the C sources of its own guest programs. */
export function defaultProgramsDir(): string {
  return fileURLToPath(new URL('./micro/', import.meta.url));
}

/** The host's C toolchain, as far as it decides the bytes of a static binary. */
export interface Toolchain {
  /** `gcc --version`, first line. */
  compiler: string;
  /** Version of the static C library (Debian's libc6-dev). */
  libc: string;
}

const APT_HINT = 'install the C compiler and the static C library: apt-get install gcc libc6-dev';

/** Compiler flags: optimised, static (the guest has no development files), stripped (no build paths). */
export const COMPILE_FLAGS = ['-O2', '-static', '-s'];

/** Finds gcc and the static libc, or explains what to install. */
export async function hostToolchain(): Promise<Toolchain> {
  const compiler = (await run(['gcc', '--version'], 'checking the C compiler')).stdout.split('\n')[0]?.trim() ?? '';
  const libcA = (await run(['gcc', '-print-file-name=libc.a'], 'looking for the static C library')).stdout.trim();
  if (!libcA.startsWith('/')) {
    throw new HvbError('toolchain-missing', 'gcc finds no static C library (libc.a), needed to build the guest programs', { hint: APT_HINT });
  }
  const libc = (await run(['dpkg-query', '-W', '-f=${Version}', 'libc6-dev'], 'reading the libc6-dev version').catch(() => ({ stdout: '' }))).stdout.trim();
  if (libc === '')
    throw new HvbError('toolchain-missing', 'libc6-dev is not installed; it holds the static C library the guest programs link', { hint: APT_HINT });
  return { compiler, libc: `libc6-dev ${libc}` };
}

/** sha256 of a program's source, for the image id (the source decides the binary with the toolchain). */
export async function programSource(program: RecipeProgram, dir = defaultProgramsDir()): Promise<{ path: string; sha256: string }> {
  const path = join(dir, program.source);
  const bytes = await readFile(path).catch((e: unknown) => {
    throw new HvbError('program-source-missing', `the source of guest program ${program.name} is missing: ${path}`, { cause: e });
  });
  return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Compiles one program with the host's gcc into a static binary and returns its bytes and
 * the exact command. The source is copied into an empty folder and compiled there under
 * its plain file name, so no path of this machine can reach the binary.
 */
export async function compileProgram(program: RecipeProgram, dir = defaultProgramsDir()): Promise<{ bytes: Buffer; argv: string[] }> {
  const work = await mkdtemp(join(tmpdir(), 'hvbench-cc-'));
  try {
    await copyFile(join(dir, program.source), join(work, program.source));
    const argv = ['gcc', ...COMPILE_FLAGS, '-o', program.name, program.source];
    await run(argv, `compiling guest program ${program.name}`, work);
    return { bytes: await readFile(join(work, program.name)), argv };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function run(argv: string[], what: string, cwd?: string) {
  try {
    return await runCommand(argv, what, cwd === undefined ? {} : { cwd });
  } catch (e) {
    if (e instanceof HvbError && e.code === 'command-missing') {
      throw new HvbError('toolchain-missing', `${argv[0]} is needed for ${what} but was not found on this host`, { hint: APT_HINT, cause: e });
    }
    if (e instanceof CommandFailed && /cannot find -lc|No such file or directory/.test(e.stderr)) {
      throw new HvbError('toolchain-missing', `${what} failed: ${e.stderr.trim().split('\n').slice(-3).join(' ')}`, { hint: APT_HINT, cause: e });
    }
    throw e;
  }
}
