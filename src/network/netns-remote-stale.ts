import { posix } from 'node:path';
import type { Host } from '../hosts/host.ts';
import { deleteNetns, IP_FUNCTION } from './netns.ts';
import { parseNetworkName } from './netns-owner.ts';
import { PEER_ROOT_PREFIX } from './peer-root.ts';

/**
 * A namespace of hvbench's on another host with nothing running in it is another run's that
 * is still making it while it is younger than this (by that host's clock); older, it is one
 * whose keeper could not clean up (netns-remote.ts), e.g. killed with its sshd.
 */
export const STALE_REMOTE_AGE_S = 600;

/** Prints the host's clock, then per hvbench namespace `ns <name> <mtime> <processes>`, per peer folder `dir <path> <mtime>`. */
const SURVEY_SCRIPT = [
  IP_FUNCTION,
  'date +%s',
  'for n in $(ip netns list 2>/dev/null | cut -d" " -f1); do',
  '  case "$n" in hvb-*) echo "ns $n $(stat -c %Y "/run/netns/$n" 2>/dev/null) $(ip netns pids "$n" 2>/dev/null | wc -l)" ;; esac',
  'done',
  `for d in "\${TMPDIR:-/tmp}"/${PEER_ROOT_PREFIX}hvb-*; do [ -d "$d" ] && echo "dir $d $(stat -c %Y "$d" 2>/dev/null)"; done`,
  'true',
].join('\n');

const PEER_DIR_NETWORK = new RegExp(`^${PEER_ROOT_PREFIX}(hvb-\\d{1,10}-\\d{1,20}-[0-9a-f]{4})-`);

export interface StaleSurvey {
  namespaces: string[];
  peerDirs: string[];
}

/**
 * What of the survey is stale: empty hvbench namespaces older than STALE_REMOTE_AGE_S, and
 * peer folders as old whose namespace no longer exists or is stale too. Names that are not
 * hvbench's exact form are never listed.
 */
export function staleInSurvey(text: string): StaleSurvey {
  const [first = '', ...lines] = text.split('\n');
  const now = /^\d{1,12}$/.test(first.trim()) ? Number(first.trim()) : undefined;
  const old = (mtime: string | undefined) => now === undefined || !/^\d{1,12}$/.test(mtime ?? '') || now - Number(mtime) >= STALE_REMOTE_AGE_S;
  const live = new Set<string>();
  const namespaces: string[] = [];
  const dirs: { path: string; network: string; mtime: string | undefined }[] = [];
  for (const line of lines) {
    const [kind, name = '', mtime, count] = line.trim().split(/\s+/);
    if (kind === 'ns' && parseNetworkName(name)) {
      if (count === '0' && old(mtime)) namespaces.push(name);
      else live.add(name);
    }
    const network = PEER_DIR_NETWORK.exec(posix.basename(name))?.[1];
    if (kind === 'dir' && name.startsWith('/') && network !== undefined) dirs.push({ path: name, network, mtime });
  }
  const peerDirs = dirs.filter((d) => !live.has(d.network) && old(d.mtime)).map((d) => d.path);
  return { namespaces, peerDirs };
}

/** The host's clock, its hvbench namespaces and peer folders (see staleInSurvey); undefined when it cannot be asked. */
export async function surveyRemoteNetworks(host: Host): Promise<string | undefined> {
  const survey = await host.exec(['sh', '-c', SURVEY_SCRIPT], { timeoutMs: 30_000 }).catch(() => undefined);
  return survey?.exitCode === 0 ? survey.stdout : undefined;
}

/**
 * Removes what hvbench networks left on another host when their keeper could not: returns
 * what went, for the log. Never throws (a host that cannot be surveyed is left as it is).
 */
export async function removeStaleRemoteNetworks(host: Host): Promise<string[]> {
  const survey = await surveyRemoteNetworks(host);
  if (survey === undefined) return [];
  const stale = staleInSurvey(survey);
  const removed: string[] = [];
  for (const ns of stale.namespaces) {
    if (
      await deleteNetns(host, ns).then(
        () => true,
        () => false,
      )
    )
      removed.push(`namespace ${ns}`);
  }
  for (const dir of stale.peerDirs) {
    if (
      await host.removeTree(dir).then(
        () => true,
        () => false,
      )
    )
      removed.push(`folder ${dir}`);
  }
  return removed;
}
