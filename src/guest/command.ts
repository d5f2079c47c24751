import { execa } from 'execa';
import { HvbError } from '../util/errors.ts';

/** Debian package that ships each host program the image builder runs. */
const PROVIDERS: Record<string, string> = {
  'apt-get': 'apt',
  'apt-cache': 'apt',
  'dpkg-deb': 'dpkg',
};

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** The last lines of a command's error output, for messages. */
export function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/**
 * Runs a host program (argv array, no shell) and returns its output.
 * A missing program or a non-zero exit becomes an HvbError that says what was being done.
 */
export async function runCommand(argv: string[], what: string, options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (!file) throw new HvbError('invalid-argument', `cannot run an empty command for ${what}`);
  const result = await execa(file, args, {
    reject: false,
    stdin: 'ignore',
    env: { LC_ALL: 'C', ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  if ((result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    const pkg = PROVIDERS[file];
    throw new HvbError('command-missing', `${file} is needed for ${what} but was not found on this host`, {
      hint: pkg ? `install it with: apt-get install ${pkg}` : `install ${file}`,
    });
  }
  if (result.failed) {
    const why = result.exitCode === undefined ? (result.signal ?? 'failed to start') : `exit code ${result.exitCode}`;
    throw new CommandFailed(file, what, why, stdout, stderr);
  }
  return { stdout, stderr };
}

/** A host program ran and failed; callers turn known failures into clearer errors. */
export class CommandFailed extends HvbError {
  constructor(
    readonly program: string,
    what: string,
    why: string,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    const detail = tail(stderr) || tail(stdout);
    super('command-failed', `${what}: ${program} failed (${why})${detail ? `:\n${detail}` : ''}`);
  }
}
