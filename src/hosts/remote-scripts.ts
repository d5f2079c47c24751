import { shellCommand, shellWord } from './shell-quote.ts';

/**
 * The few fixed POSIX sh fragments hvbench runs on a remote host. They use only what
 * busybox ash, dash and bash all have (no `set -m`, no `$'…'`, no arrays, no `local`);
 * every value from outside goes in through shellWord() as a quoted word or a positional
 * parameter, never by text substitution.
 */

/** Exit code of the remote wrappers when they cannot set the program up (not the program's own). */
export const EXIT_WRAPPER_FAILED = 125;

/**
 * Runs "$@" as the leader of its own process group, tied to the ssh channel: the channel's
 * stdin is kept by a watchdog, and when it ends — the local ssh was killed, the connection
 * dropped, or the caller closed stdin — the watchdog SIGKILLs the whole group. The program
 * itself gets /dev/null as stdin, or, with HVBENCH_FORWARD set, a FIFO the watchdog copies
 * the channel into (in a private mktemp folder removed once both ends are open), so a
 * console on the program's stdin takes input. $1 is the working directory ('' for the login
 * directory).
 *
 * OpenSSH's sshd (and dropbear) start the command as a session leader, and each `exec` keeps
 * that pid, so the program's pid is its process group id. The wrapper checks that from
 * /proc; if it is not so, it re-executes itself under `setsid` once.
 */
const WATCHDOG_SCRIPT = [
  'if ! read -r _ _ _ _ hvb_pgrp _ </proc/$$/stat; then echo "hvbench: cannot read /proc/$$/stat" >&2; exit 125; fi',
  'if [ "$hvb_pgrp" != "$$" ]; then',
  '  if [ -n "${HVBENCH_SETSID-}" ]; then echo "hvbench: cannot lead a process group here (pid $$, group $hvb_pgrp)" >&2; exit 125; fi',
  '  HVBENCH_SETSID=1; export HVBENCH_SETSID',
  '  exec setsid sh -c "$HVBENCH_WATCHDOG" "$0" "$@"',
  'fi',
  'unset HVBENCH_SETSID HVBENCH_WATCHDOG hvb_pgrp',
  'if [ -n "$1" ]; then cd "$1" || exit 125; fi',
  'shift',
  'exec 3<&0',
  'if [ -n "${HVBENCH_FORWARD-}" ]; then',
  '  unset HVBENCH_FORWARD',
  '  hvb_dir=$(mktemp -d) || exit 125',
  '  mkfifo -m 600 "$hvb_dir/in" || { rm -rf "$hvb_dir"; exit 125; }',
  // Opening a FIFO waits for the other end: the copy's open and the program's meet, then the name goes.
  '  { exec 4>"$hvb_dir/in"; rm -rf "$hvb_dir"; cat <&3 >&4; kill -KILL 0; } </dev/null >/dev/null 2>&1 &',
  '  exec "$@" <"$hvb_dir/in" 3<&-',
  'fi',
  // Background lists read /dev/null unless redirected: the explicit <&3 keeps the channel.
  '{ cat <&3 >/dev/null 2>&1; kill -KILL 0; } </dev/null >/dev/null 2>&1 &',
  'exec "$@" </dev/null 3<&-',
].join('\n');

/**
 * The command string for a program that must not outlive its ssh channel; with
 * `forwardStdin` the channel's input reaches the program's stdin as well.
 */
export function watchdogCommand(argv: readonly string[], cwd = '', forwardStdin = false): string {
  return [
    `HVBENCH_WATCHDOG=${shellWord(WATCHDOG_SCRIPT)}; export HVBENCH_WATCHDOG;`,
    ...(forwardStdin ? ['HVBENCH_FORWARD=1; export HVBENCH_FORWARD;'] : []),
    `exec sh -c "$HVBENCH_WATCHDOG" hvbench-watchdog ${shellWord(cwd)} ${shellCommand(argv)}`,
  ].join(' ');
}

/** The command string for a plain program (stdin passed through), optionally in a directory. */
export function plainCommand(argv: readonly string[], cwd?: string): string {
  const run = `exec ${shellCommand(argv)}`;
  return cwd === undefined ? run : `cd ${shellWord(cwd.startsWith('-') ? `./${cwd}` : cwd)} && ${run}`;
}

/**
 * Prints `present` when `file` exists in a directory owned by this user and has the sha256
 * `sha`. Anything else (missing, other content, a directory someone else could swap files
 * in) means the file must be sent.
 */
export function cachedFileCheckCommand(dir: string, file: string, sha: string): string {
  return [
    `d=${shellWord(dir)}; f=${shellWord(file)}; want=${shellWord(sha)};`,
    '[ "$(stat -c %u "$d" 2>/dev/null)" = "$(id -u)" ] || exit 0;',
    'sum=$(sha256sum <"$f" 2>/dev/null) || exit 0;',
    '[ "${sum%% *}" = "$want" ] && echo present; exit 0',
  ].join(' ');
}

/**
 * Reads a file from stdin into the cache: a temporary name first, its sha256 checked, then
 * renamed into place, so a broken transfer never leaves a file under the final name.
 */
export function cachedFileStoreCommand(dir: string, file: string, sha: string): string {
  return [
    `d=${shellWord(dir)}; f=${shellWord(file)}; want=${shellWord(sha)}; t="$f.tmp.$$";`,
    'umask 022; mkdir -p "$d" || exit 3;',
    '[ "$(stat -c %u "$d")" = "$(id -u)" ] || { echo "hvbench: $d belongs to another user" >&2; exit 3; };',
    'cat >"$t" || { rm -f "$t"; exit 4; };',
    'sum=$(sha256sum <"$t") || { rm -f "$t"; exit 4; };',
    'if [ "${sum%% *}" != "$want" ]; then rm -f "$t"; echo "hvbench: the copy has sha256 ${sum%% *}, expected $want" >&2; exit 5; fi;',
    'mv -f "$t" "$f"',
  ].join(' ');
}
