import type { HostProcess } from '../hosts/host.ts';
import { describeProcessExit } from '../hosts/piped-process.ts';

/** Peer output kept for the repetition log. */
export const MAX_PEER_LOG_CHARS = 64 * 1024;

/** A started peer seen from here: the tail of what it printed, and whether and how it ended. */
export interface PeerOutput {
  /** stdout and stderr as they came, the last MAX_PEER_LOG_CHARS characters. */
  log(): string;
  readonly exited: boolean;
  /** `exit code 1`, `killed by SIGKILL`, or why it never ran; empty while it runs. */
  readonly exitText: string;
  /** Resolves once the process has ended (never rejects). */
  readonly done: Promise<void>;
}

/**
 * Collects a peer's output and end, the same for a peer started here and one started in a
 * dom0 (where the process is the ssh that carries it). `onOutput` sees the log after each
 * chunk (the dom0 peer reads its remote pid from it).
 */
export function watchPeerOutput(child: HostProcess, onOutput: (log: string) => void = () => {}): PeerOutput {
  let log = '';
  let exited = false;
  let exitText = '';
  const keep = (bytes: Buffer) => {
    log = (log + bytes.toString('utf8')).slice(-MAX_PEER_LOG_CHARS);
    onOutput(log);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const done = child.exited.then((exit) => {
    exited = true;
    exitText = describeProcessExit(exit);
  });
  return {
    log: () => log,
    get exited() {
      return exited;
    },
    get exitText() {
      return exitText;
    },
    done,
  };
}
