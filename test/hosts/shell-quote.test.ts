import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { shellCommand, shellWord } from '../../src/hosts/shell-quote.ts';

/** Words a remote shell must pass through untouched, each one argv element. */
const ADVERSARIAL = [
  '',
  ' ',
  'plain',
  "it's",
  "''",
  "'",
  '"double"',
  'a b  c',
  '$(touch /tmp/hvbench-pwned)',
  '`id`',
  '${HOME}',
  '$HOME',
  '\\',
  '\\n',
  'line\nbreak',
  '\n',
  'tab\there',
  ';rm -rf /;',
  '&& false',
  '| cat',
  '> out',
  '*',
  '?',
  '[a]',
  '~',
  '-n',
  '--',
  '#comment',
  '!',
  'grüße ✓ 日本',
  '\u00a0nbsp',
  '\r\n',
  'mixed \'single\' and "double" $(and) `more`',
];

// Real shells: the remote side may be bash, dash or busybox ash (dropbear labs).
const SHELLS: [string, string[]][] = [
  ['dash', ['dash', '-c']],
  ['bash', ['bash', '-c']],
  ['busybox ash', ['busybox', 'sh', '-c']],
];

describe('shellWord', () => {
  it('single-quotes every word, and only the single quote needs care', () => {
    expect(shellWord('plain')).toBe("'plain'");
    expect(shellWord('')).toBe("''");
    expect(shellWord("it's")).toBe("'it'\\''s'");
    expect(shellWord('$(x) `y` "z"')).toBe('\'$(x) `y` "z"\'');
  });

  it('refuses a NUL byte, which no command line can carry', () => {
    expect(() => shellWord('a\0b')).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});

describe('shellCommand', () => {
  it('refuses an empty argv or program name', () => {
    expect(() => shellCommand([])).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => shellCommand([''])).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });

  for (const [name, prefix] of SHELLS) {
    it(`round-trips adversarial words through ${name}`, async () => {
      expect(existsSync(`/usr/bin/${prefix[0]}`) || existsSync(`/bin/${prefix[0]}`)).toBe(true);
      // printf prints each argument NUL-terminated, so newlines and empty words stay visible.
      const command = shellCommand(['printf', '%s\\0', ...ADVERSARIAL]);
      const result = await execa(prefix[0]!, [...prefix.slice(1), command], { stripFinalNewline: false, env: { LC_ALL: 'C.UTF-8' } });
      const words = result.stdout.split('\0');
      expect(words.pop()).toBe('');
      expect(words).toEqual(ADVERSARIAL);
      expect(existsSync('/tmp/hvbench-pwned')).toBe(false);
    });
  }
});
