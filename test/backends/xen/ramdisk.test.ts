import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xenRamdisk } from '../../../src/backends/xen/ramdisk.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hvb-xen-ramdisk-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What libxenguest gives a PV/PVH guest: ONE inflate from the first member's data (Node's gzip headers are 10 bytes). */
const firstMember = (gz: Buffer) => inflateRawSync(gz.subarray(10));

describe('the ramdisk of a Xen PV/PVH guest', () => {
  const base = Buffer.from('base archive '.repeat(2000));
  const segment = Buffer.from('fio segment '.repeat(3000));

  it('turns an initrd of several gzip members into one member with the same contents, once', async () => {
    const initrd = join(dir, 'initrd.cpio.gz');
    await writeFile(initrd, Buffer.concat([gzipSync(base), gzipSync(segment)]));
    // The bug it avoids: one inflate stops after the base; the segment never reaches the guest.
    expect(firstMember(await readFile(initrd))).toEqual(base);

    const cache = join(dir, 'cache');
    const repacked = await xenRamdisk(initrd, 'pvh', cache);
    expect(repacked.startsWith(join(cache, 'xen', 'ramdisks'))).toBe(true);
    const bytes = await readFile(repacked);
    expect(firstMember(bytes)).toEqual(Buffer.concat([base, segment]));
    expect(gunzipSync(bytes)).toEqual(Buffer.concat([base, segment]));
    expect(await xenRamdisk(initrd, 'pv', cache)).toBe(repacked);
  });

  it("leaves an HVM guest's ramdisk as it is (the device model passes it unchanged)", async () => {
    const initrd = join(dir, 'hvm.cpio.gz');
    await writeFile(initrd, Buffer.concat([gzipSync(base), gzipSync(segment)]));
    expect(await xenRamdisk(initrd, 'hvm', join(dir, 'cache'))).toBe(initrd);
  });

  it('says which file it could not read or repack', async () => {
    await expect(xenRamdisk(join(dir, 'nope.cpio.gz'), 'pv', join(dir, 'cache'))).rejects.toThrow(/cannot read the initramfs .*nope\.cpio\.gz: ENOENT/);
    const broken = join(dir, 'broken.cpio.gz');
    await writeFile(broken, 'not gzip at all');
    await expect(xenRamdisk(broken, 'pv', join(dir, 'cache'))).rejects.toThrow(/cannot repack the initramfs .*broken\.cpio\.gz/);
  });
});
