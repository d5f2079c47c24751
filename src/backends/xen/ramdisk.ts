import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { defaultCacheDir } from '../../guest/cache.ts';
import { sha256File } from '../../guest/deb-cache.ts';
import type { XenGuestType } from './devices.ts';
import { HvbError } from '../../util/errors.ts';

/**
 * The ramdisk file to hand to xl for a guest of `type`.
 *
 * A case's initrd is the base initramfs followed by the segments of its tools: several
 * gzip members, one after the other, which Linux unpacks in turn. For PV and PVH guests the
 * ramdisk never reaches Linux as it is: libxenguest (xc_dom_load_ramdisk) gunzips it first,
 * with one inflate call that stops at the end of the FIRST member (and sizes its buffer
 * from the LAST member's length field), so the guest gets the base archive alone and the
 * tools of the segments are missing (`fio: not found`). Those guests get the same archive
 * contents as ONE gzip member instead: the bytes libxenguest hands the guest are then the
 * concatenated cpio archives, exactly what Linux unpacks from the original file. HVM
 * guests boot through the device model, which passes the file unchanged: it stays as it is.
 *
 * Made once per initrd (by its sha256) in `<cache>/xen/ramdisks/`.
 */
export async function xenRamdisk(initramfs: string, type: XenGuestType, cacheDir: string = defaultCacheDir()): Promise<string> {
  if (type === 'hvm') return initramfs;
  const sha = await sha256File(initramfs).catch((e: NodeJS.ErrnoException) => {
    throw new HvbError('initramfs-missing', `cannot read the initramfs ${initramfs}: ${e.code ?? e.message}`, { cause: e });
  });
  const dir = join(cacheDir, 'xen', 'ramdisks');
  const target = join(dir, `${sha.slice(0, 32)}.cpio.gz`);
  if (
    await stat(target).then(
      (s) => s.size > 0,
      () => false,
    )
  )
    return target;
  await mkdir(dir, { recursive: true });
  const tmp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    // Node's gunzip reads every member of a concatenation; gzip writes one.
    await pipeline(createReadStream(initramfs), createGunzip(), createGzip({ level: 6 }), createWriteStream(tmp));
    await rename(tmp, target);
  } catch (e) {
    throw new HvbError('initramfs-damaged', `cannot repack the initramfs ${initramfs} for a Xen guest: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  } finally {
    await rm(tmp, { force: true });
  }
  return target;
}
