import type { Host } from '../hosts/host.ts';
import { HvbError } from '../util/errors.ts';

/**
 * The files of a host's stabilisation profile, read in one fixed POSIX sh script so a remote
 * host answers in one round trip. Nothing from outside is put into its text: `$1` is a root
 * prefix (`''` on a real host; a captured tree in tests), passed as an argument.
 *
 * Each readable file comes out as a line `@@ <path>` followed by its text; a file that is
 * not there (or not readable) as `@@! <path>`. Per-CPU governors, NUMA nodes and the
 * processes named irqbalance are found by globbing, so only what exists is listed.
 */
export const READ_SCRIPT = [
  'r=$1',
  'show() { if [ -r "$r$1" ]; then printf "@@ %s\\n" "$1"; cat "$r$1" 2>/dev/null; echo; else printf "@@! %s\\n" "$1"; fi; }',
  'for f in "$r"/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor; do [ -e "$f" ] && show "${f#"$r"}"; done',
  'show /sys/devices/system/cpu/cpu0/cpufreq/scaling_driver',
  'show /sys/devices/system/cpu/intel_pstate/no_turbo',
  'show /sys/devices/system/cpu/cpufreq/boost',
  'show /sys/devices/system/cpu/smt/control',
  'show /sys/devices/system/cpu/smt/active',
  'show /sys/kernel/mm/transparent_hugepage/enabled',
  'show /sys/kernel/mm/transparent_hugepage/defrag',
  'show /sys/devices/system/cpu/cpuidle/current_driver',
  'show /sys/devices/system/cpu/cpuidle/current_governor_ro',
  'show /sys/module/intel_idle/parameters/max_cstate',
  'show /proc/meminfo',
  'show /proc/sys/vm/swappiness',
  'for f in "$r"/sys/devices/system/node/node[0-9]*/cpulist; do [ -e "$f" ] && show "${f#"$r"}"; done',
  'for f in "$r"/proc/[0-9]*/comm; do c=; read -r c <"$f" 2>/dev/null; [ "$c" = irqbalance ] && show "${f#"$r"}"; done',
  'if [ -r "$r/proc/cpuinfo" ]; then printf "@@ %s\\n" /proc/cpuinfo:flags; grep -m1 "^flags" "$r/proc/cpuinfo"; echo; fi',
  'exit 0',
].join('\n');

/** The files a profile read found: path → text (trimmed); absent paths are missing. */
export type ProfileTree = ReadonlyMap<string, string>;

/** Parses the script's output into the files it found; `@@!` lines (missing files) are left out. */
export function parseReadOutput(output: string): Map<string, string> {
  const tree = new Map<string, string>();
  let path: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (path !== undefined) tree.set(path, lines.join('\n').trim());
  };
  for (const line of output.split('\n')) {
    if (line.startsWith('@@! ')) {
      flush();
      path = undefined;
      lines = [];
    } else if (line.startsWith('@@ ')) {
      flush();
      path = line.slice(3);
      lines = [];
    } else if (path !== undefined) lines.push(line);
  }
  flush();
  return tree;
}

/** Reads the profile's files on `host` (under `root`, for a captured tree). */
export async function readProfileTree(host: Host, root = ''): Promise<Map<string, string>> {
  const r = await host.exec(['sh', '-c', READ_SCRIPT, 'hvbench-tuning', root], { timeoutMs: 60_000 });
  if (r.exitCode !== 0)
    throw new HvbError('host-state-unreadable', `could not read the host state of ${host.name}: ${r.stderr.trim() || `exit code ${r.exitCode}`}`);
  return parseReadOutput(r.stdout);
}
