/** The file in the run's private folder where the wrapper writes the run's pid (its process group) on another host. */
export const REMOTE_PID_FILE = 'pid';

/**
 * The fixed sh fragment a native run starts with on another host, under the ssh watchdog
 * (which makes it lead its own process group): it writes its pid, keeps the forwarded channel
 * (the start barrier's `go` line) as fd 3 when asked, opens the scratch disk or shared folder
 * as stdin (read-write `<>`, or read-only), then becomes the native command line (argv.ts).
 * Values go in as positional parameters only.
 */
const WRAPPER = [
  'echo $$ >"$1/pid" || exit 125',
  'mode=$2; target=$3; barrier=$4; shift 4',
  'if [ "$barrier" = 1 ]; then exec 3<&0; fi',
  'case $mode in rw) exec 0<>"$target" || exit 125 ;; r) exec 0<"$target" || exit 125 ;; esac',
  'exec "$@"',
].join('\n');

export interface RemoteRunInput {
  /** The run's private folder on that host. */
  tempDir: string;
  /** The scratch disk or shared folder that becomes stdin, and how it is opened. */
  stdin?: { path: string; mode: 'rw' | 'r' };
  /** The run has a start barrier: the forwarded ssh channel becomes its fd 3. */
  barrier: boolean;
}

/** The argv for Host.spawn (detached, and with forwardStdin when there is a barrier). */
export function remoteNativeArgv(input: RemoteRunInput, argv: readonly string[]): string[] {
  return ['sh', '-c', WRAPPER, 'hvb-native', input.tempDir, input.stdin?.mode ?? '', input.stdin?.path ?? '', input.barrier ? '1' : '0', ...argv];
}
