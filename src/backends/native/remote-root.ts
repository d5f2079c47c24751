import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { execa } from 'execa';
import type { Host } from '../../hosts/host.ts';
import { HvbError } from '../../util/errors.ts';
import type { NativeRoot } from './root.ts';

/** Where a remote host keeps unpacked image roots, one folder per initramfs hash. */
export const REMOTE_NATIVE_DIR = '/var/tmp/hvbench-native';
/** Sending and unpacking a root on a slow (nested) host takes a while. */
const UNPACK_TIMEOUT_MS = 600_000;

/**
 * The image root on another host: the local root (root.ts) packed once into a tarball beside
 * it (`<root>.tar.gz`, written atomically), sent with Host.putFile (cached there by sha256)
 * and unpacked by the host's own `tar` into `/var/tmp/hvbench-native/<hash prefix>/`,
 * renamed into place once complete, so a folder that exists there is complete too. The
 * remote run executes the very bytes a guest and a local native run execute.
 */
export async function remoteNativeRoot(host: Host, root: NativeRoot): Promise<string> {
  const dir = posix.join(REMOTE_NATIVE_DIR, root.sha256.slice(0, 16));
  const there = await host.exec(['test', '-d', dir], { timeoutMs: 60_000 });
  if (there.exitCode === 0) return dir;
  const tarball = await packRoot(root.dir);
  const sent = await host.putFile(tarball);
  const script =
    'd=$1; f=$2; [ -d "$d" ] && exit 0; t="$d.tmp.$$"; rm -rf "$t" && mkdir -p "$t" && tar -xzf "$f" -C "$t" || { rm -rf "$t"; exit 1; }; ' +
    'mv "$t" "$d" 2>/dev/null || { rm -rf "$t"; [ -d "$d" ]; }';
  const r = await host.exec(['sh', '-c', script, 'hvb-native-root', dir, sent], { timeoutMs: UNPACK_TIMEOUT_MS });
  if (r.exitCode !== 0) {
    throw new HvbError('native-root', `cannot unpack the image root into ${dir} on ${host.name}: ${r.stderr.trim() || `exit ${r.exitCode}`}`, {
      hint: 'native runs on another host need tar (with gzip) there and room in /var/tmp',
    });
  }
  return dir;
}

/** `<rootDir>.tar.gz`, made once: names sorted, owners and times zeroed, so the same root packs to the same bytes. */
async function packRoot(rootDir: string): Promise<string> {
  const tarball = `${rootDir}.tar.gz`;
  if ((await stat(tarball).catch(() => undefined))?.isFile()) return tarball;
  const tmp = `${tarball}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    const r = await execa('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-czf', tmp, '-C', rootDir, '.'], {
      reject: false,
      env: { GZIP: '-n' },
    });
    if (r.exitCode !== 0) throw new HvbError('native-root', `cannot pack the image root ${rootDir}: ${String(r.stderr).trim() || r.message}`);
    await rename(tmp, tarball);
  } finally {
    await rm(tmp, { force: true });
  }
  return tarball;
}
