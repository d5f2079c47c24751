import { HvbError } from '../util/errors.ts';
import { CommandFailed, runCommand, tail } from './command.ts';

/** One exact package version, as apt names it. */
export interface PackageRef {
  name: string;
  version: string;
  arch: string;
}

const UPDATE_HINT = 'run `apt-get update` (as root) so the package lists are current, then try again';

/**
 * Parses the `Inst` lines of `apt-get -s install`, e.g.
 * `Inst libc6 (2.36-9+deb12u10 Debian:12.10/stable [amd64]) []`.
 */
export function parseInstLines(output: string): PackageRef[] {
  const refs: PackageRef[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('Inst ')) continue;
    const m = /^Inst (\S+) (?:\[[^\]]*\] )?\((\S+) [^[]*\[([^\]]+)\]\)/.exec(line);
    if (!m) throw new HvbError('apt-output', `cannot read apt's plan line: "${line}"`);
    const [, rawName = '', version = '', arch = ''] = m;
    refs.push({ name: rawName.split(':')[0] ?? rawName, version, arch });
  }
  return refs;
}

/** Reads `Version:` and the first alternative of each `Depends:` entry of one `apt-cache show` record. */
export function parseShowRecord(output: string): { version: string; depends: { name: string; version?: string }[] } {
  const record = output.split(/\n\n/)[0] ?? '';
  const field = (key: string) => new RegExp(`^${key}: (.*)$`, 'm').exec(record)?.[1]?.trim();
  const version = field('Version');
  if (!version) throw new HvbError('apt-output', 'apt-cache show printed no Version field');
  const depends = (field('Depends') ?? '')
    .split(',')
    .map((entry) => entry.split('|')[0]?.trim() ?? '')
    .filter((entry) => entry !== '')
    .map((entry) => {
      const m = /^(\S+)(?:\s*\(=\s*([^)\s]+)\))?/.exec(entry);
      const name = m?.[1] ?? entry;
      return m?.[2] ? { name, version: m[2] } : { name };
    });
  return { version, depends };
}

/** The kernel package behind `kernel`: a metapackage is followed to the `linux-image-<kver>` it depends on. */
export async function resolveKernelPackage(kernel: string): Promise<PackageRef> {
  const show = async (name: string) => parseShowRecord((await aptCommand(['apt-cache', 'show', '--no-all-versions', name], `looking up ${name}`)).stdout);
  const record = await show(kernel);
  if (isRealKernel(kernel)) return { name: kernel, version: record.version, arch: 'amd64' };
  const dep = record.depends.find((d) => isRealKernel(d.name));
  if (!dep) {
    throw new HvbError('kernel-unresolved', `${kernel} ${record.version} depends on no linux-image-<version> package`, {
      hint: 'name a kernel metapackage such as linux-image-amd64 or a real linux-image-6.1.0-NN-amd64 package',
    });
  }
  const version = dep.version ?? (await show(dep.name)).version;
  return { name: dep.name, version, arch: 'amd64' };
}

function isRealKernel(name: string): boolean {
  return /^linux-image-\d/.test(name);
}

/** The dependency closure of `packages` with exact versions, from apt's resolver against an empty system. */
export async function resolveClosure(packages: string[]): Promise<PackageRef[]> {
  const argv = [
    'apt-get',
    '-s',
    '-o',
    'Dir::State::status=/dev/null',
    '-o',
    'APT::Install-Recommends=false',
    '-o',
    'Debug::NoLocking=true',
    'install',
    ...packages,
  ];
  const { stdout } = await aptCommand(argv, `resolving ${packages.join(' ')}`);
  const refs = parseInstLines(stdout);
  if (refs.length === 0) throw new HvbError('apt-output', `apt planned no packages for ${packages.join(' ')}`);
  return refs;
}

/** Downloads exact versions into `dir` with `apt-get download name=version`. */
export async function downloadPackages(refs: PackageRef[], dir: string): Promise<void> {
  const argv = ['apt-get', 'download', ...refs.map((r) => `${r.name}=${r.version}`)];
  await aptCommand(argv, `downloading ${refs.length} package(s)`, dir);
}

/** The file name apt gives a downloaded package: the epoch's colon is written `%3a`. */
export function debFileName(ref: PackageRef): string {
  return `${ref.name}_${ref.version.replaceAll(':', '%3a')}_${ref.arch}.deb`;
}

async function aptCommand(argv: string[], what: string, cwd?: string) {
  try {
    return await runCommand(argv, what, cwd === undefined ? {} : { cwd });
  } catch (e) {
    throw e instanceof CommandFailed ? explainAptFailure(e, what) : e;
  }
}

/** Turns apt's error output into an error that names the package and says what to do. */
export function explainAptFailure(e: CommandFailed, what: string): HvbError {
  const err = e.stderr;
  const missingVersion = /Version '([^']+)' for '([^']+)' was not found/.exec(err);
  if (missingVersion) {
    return new HvbError('package-unavailable', `${missingVersion[2]} version ${missingVersion[1]} is not available from the configured Debian mirrors`, {
      hint: 'the mirror no longer carries it; add an archive snapshot source of the date the image was built (then apt-get update), or build from the current recipe instead',
      cause: e,
    });
  }
  const missingPackage = /Unable to locate package (\S+)|Package '?([^' ]+)'? has no installation candidate/.exec(err);
  if (missingPackage) {
    return new HvbError('package-unavailable', `package ${missingPackage[1] ?? missingPackage[2]} is not known to apt`, { hint: UPDATE_HINT, cause: e });
  }
  if (/No packages found/.test(err)) {
    return new HvbError('package-unavailable', `${what}: apt knows no such package`, { hint: UPDATE_HINT, cause: e });
  }
  if (/Temporary failure resolving|Could not resolve|Failed to fetch|Unable to connect|Network is unreachable|Connection failed/.test(err)) {
    return new HvbError('apt-network', `${what} failed: the Debian mirror could not be reached:\n${tail(err)}`, {
      hint: `check the network connection; if the mirror moved or the lists are old, ${UPDATE_HINT}`,
      cause: e,
    });
  }
  return new HvbError('apt-failed', `${what} failed:\n${tail(err) || tail(e.stdout)}`, { hint: UPDATE_HINT, cause: e });
}
