import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../../src/guest/cache.ts';
import { DebCache } from '../../src/guest/deb-cache.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { modinfoDepends, parseModinfo } from '../../src/guest/kmod.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

let image: GuestImage;
beforeAll(async () => {
  image = await guestImage();
}, IMAGE_BUILD_TIMEOUT_MS);

describe('.modinfo of a real Debian kernel module', () => {
  it('reads virtio_blk and its dependencies from the unpacked kernel package', () => {
    const pkg = image.manifest.packages.find((p) => p.role === 'kernel')!;
    const tree = new DebCache(defaultCacheDir()).unpackedPath(pkg);
    const ko = readFileSync(join(tree, 'lib', 'modules', image.manifest.kernel.version, 'kernel', 'drivers', 'block', 'virtio_blk.ko'));
    const info = parseModinfo(ko);
    expect(info.get('name')).toEqual(['virtio_blk']);
    expect(modinfoDepends(info)).toEqual(expect.arrayContaining(['virtio', 'virtio_ring']));
  });
});
