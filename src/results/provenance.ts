import { readFile, realpath } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** Which hvbench produced a run: package version, and the git revision of its checkout. */
export interface HvbenchVersion {
  version: string;
  /** `git rev-parse HEAD` of the checkout hvbench runs from, or `unknown`. */
  revision: string;
  /** Uncommitted changes to tracked files, when in a checkout. */
  dirty?: boolean;
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function hvbenchVersion(root: string = PACKAGE_ROOT): Promise<HvbenchVersion> {
  const pkg = JSON.parse(await readFile(`${root}/package.json`, 'utf8')) as { version?: string };
  return { version: pkg.version ?? 'unknown', ...(await gitRevision(root)) };
}

/**
 * The revision of the git checkout whose top folder is `root`. A package installed
 * inside some other repository (under its node_modules) is not a checkout of its own,
 * so its revision is `unknown` rather than that repository's.
 */
export async function gitRevision(root: string): Promise<Pick<HvbenchVersion, 'revision' | 'dirty'>> {
  const unknown = { revision: 'unknown' };
  const git = (args: string[]) => execa('git', ['-C', root, ...args], { reject: false, timeout: 10_000 });
  const head = await git(['rev-parse', '--show-toplevel', 'HEAD']).catch(() => undefined);
  if (head?.exitCode !== 0) return unknown;
  const [top, revision] = head.stdout.split('\n');
  if (!top || !revision) return unknown;
  const [a, b] = await Promise.all([realpath(top), realpath(root)]).catch(() => ['', '-']);
  if (a !== b) return unknown;
  const status = await git(['status', '--porcelain', '--untracked-files=no']).catch(() => undefined);
  return status?.exitCode === 0 ? { revision, dirty: status.stdout.trim() !== '' } : { revision };
}
