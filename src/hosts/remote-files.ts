import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix, resolve } from 'node:path';
import { HvbError } from '../util/errors.ts';
import { cachedFileCheckCommand, cachedFileStoreCommand } from './remote-scripts.ts';

/** Where a remote host keeps files sent to it, one per content hash. */
export const REMOTE_FILE_CACHE_DIR = '/var/tmp/hvbench-files';

interface HashEntry {
  size: number;
  mtimeMs: number;
  sha256: Promise<string>;
}

/** sha256 of local files, remembered while their path, size and mtime stay the same. */
const localHashes = new Map<string, HashEntry>();

/** The sha256 of a local file; read once per (path, size, mtime). */
export async function localFileSha256(path: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute);
  if (!info.isFile()) throw new HvbError('invalid-argument', `${absolute} is not a regular file`);
  const known = localHashes.get(absolute);
  if (known !== undefined && known.size === info.size && known.mtimeMs === info.mtimeMs) return known.sha256;
  const sha256 = hashFile(absolute);
  localHashes.set(absolute, { size: info.size, mtimeMs: info.mtimeMs, sha256 });
  sha256.catch(() => localHashes.delete(absolute));
  return sha256;
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

/** What a remote file cache needs from its host: run a command string, optionally fed a local file. */
export interface RemoteRunner {
  run(command: string, options?: { inputFile?: string }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  describe(): string;
}

/**
 * Files copied to one remote host, by content: `<dir>/<sha256>`. The first putFile of a
 * content checks the remote copy's hash (and sends the file when it is missing or differs);
 * later calls in this process reuse the answer without asking the host again.
 */
export class RemoteFileCache {
  private readonly known = new Map<string, Promise<string>>();

  constructor(
    private readonly runner: RemoteRunner,
    readonly dir: string = REMOTE_FILE_CACHE_DIR,
  ) {}

  async put(localPath: string): Promise<string> {
    const sha = await localFileSha256(localPath);
    let remote = this.known.get(sha);
    if (remote === undefined) {
      remote = this.ensure(resolve(localPath), sha);
      this.known.set(sha, remote);
      remote.catch(() => this.known.delete(sha));
    }
    return remote;
  }

  private async ensure(localPath: string, sha: string): Promise<string> {
    const file = posix.join(this.dir, sha);
    const check = await this.runner.run(cachedFileCheckCommand(this.dir, file, sha));
    if (check.exitCode === 0 && check.stdout.trim() === 'present') return file;
    if (check.exitCode !== 0) throw this.failure(`cannot check ${file}`, check);
    const store = await this.runner.run(cachedFileStoreCommand(this.dir, file, sha), { inputFile: localPath });
    if (store.exitCode !== 0) throw this.failure(`cannot copy ${localPath} to ${file}`, store);
    return file;
  }

  private failure(what: string, result: { exitCode: number; stderr: string }): HvbError {
    return new HvbError('remote-file-failed', `${this.runner.describe()}: ${what}: exit code ${result.exitCode}: ${result.stderr.trim() || '(no message)'}`, {
      hint: 'check the free space and permissions of the cache directory on that host',
    });
  }
}
