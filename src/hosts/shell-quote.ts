import { HvbError } from '../util/errors.ts';

/**
 * One word for a POSIX shell, single-quoted: inside '…' every byte is literal, so only the
 * single quote itself needs care (close, an escaped quote, reopen). Works the same in
 * bash, dash, busybox ash and dropbear's login shells; no locale or `$'…'` features.
 * A NUL cannot be passed through a command line at all and is refused.
 */
export function shellWord(word: string): string {
  if (word.includes('\0')) {
    throw new HvbError('invalid-argument', `a command word cannot contain a NUL byte: ${JSON.stringify(word)}`);
  }
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command string a remote shell runs for an argv: every word quoted, joined by spaces.
 * This is the only way hvbench turns an argv into shell text for another machine.
 */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0 || argv[0] === '') {
    throw new HvbError('invalid-argument', 'cannot run an empty command: argv needs at least the program name');
  }
  return argv.map(shellWord).join(' ');
}
