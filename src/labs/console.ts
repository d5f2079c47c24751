import { readFile } from 'node:fs/promises';

/** What a lab's /init has said on the console so far (lines `HVBLAB <nonce> <what> …` at a line start). */
export interface LabConsoleFacts {
  hostKey?: { type: string; key: string };
  /** The kernel release, once dropbear runs. */
  ready?: string;
  error?: string;
}

/** Reads the framed lines of this boot's nonce; any other line (kernel, Xen, other boots) is ignored. */
export function parseLabConsole(text: string, nonce: string): LabConsoleFacts {
  const facts: LabConsoleFacts = {};
  const prefix = `HVBLAB ${nonce} `;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (!line.startsWith(prefix)) continue;
    const rest = line.slice(prefix.length);
    const space = rest.indexOf(' ');
    const what = space < 0 ? rest : rest.slice(0, space);
    const arg = space < 0 ? '' : rest.slice(space + 1).trim();
    if (what === 'hostkey') {
      const [type, key] = arg.split(/\s+/);
      if (type && key) facts.hostKey = { type, key };
    } else if (what === 'ready') {
      facts.ready = arg;
    } else if (what === 'error') {
      facts.error ??= arg;
    }
  }
  return facts;
}

/** The last lines of a console log, for error messages (line-ending carriage returns dropped, other control characters shown as `?`). */
export async function consoleTail(path: string, lines = 25): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .replace(/[\r\n]+$/, '')
    .split('\n')
    .slice(-lines)
    .map((l) => l.replace(/\r+$/, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?'))
    .join('\n')
    .trim();
}
