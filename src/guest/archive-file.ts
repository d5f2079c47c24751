import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { cpioChunks, type CpioEntry } from './cpio.ts';

export interface ArchiveFacts {
  /** sha256 and size of the compressed file. */
  sha256: string;
  bytes: number;
  /** Size of the cpio archive before compression. */
  unpackedBytes: number;
  entries: number;
}

/** gzip level 9. Node writes mtime 0 and no file name into the gzip header, so equal input gives equal bytes. */
export const GZIP_OPTIONS = { level: 9 } as const;

/**
 * Streams the entries as a newc cpio archive through gzip into `path`, hashing the output on
 * the way; files are read one at a time, so the archive never sits in memory whole.
 */
export async function writeCpioGz(entries: readonly CpioEntry[], path: string): Promise<ArchiveFacts> {
  let unpackedBytes = 0;
  let bytes = 0;
  const hash = createHash('sha256');
  async function* counted() {
    for await (const chunk of cpioChunks(entries)) {
      unpackedBytes += chunk.length;
      yield chunk;
    }
  }
  async function* hashed(source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      hash.update(chunk);
      bytes += chunk.length;
      yield chunk;
    }
  }
  await pipeline(Readable.from(counted()), createGzip(GZIP_OPTIONS), hashed, createWriteStream(path));
  return { sha256: hash.digest('hex'), bytes, unpackedBytes, entries: entries.length };
}
