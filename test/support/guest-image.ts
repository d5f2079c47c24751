import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { killAllVms, liveVms } from '../../src/backends/common/live-vms.ts';
import { buildImage } from '../../src/guest/build.ts';
import type { GuestImage } from '../../src/guest/image.ts';

/** The real guest image from the shared cache (built on first use: minutes, then instant). */
export function guestImage(): Promise<GuestImage> {
  return buildImage({ log: (line) => process.stderr.write(`image: ${line}\n`) });
}

/** Minutes allowed for a first, cold image build in a hook. */
export const IMAGE_BUILD_TIMEOUT_MS = 15 * 60_000;

/** What a describe block that boots the real guest shares: the image and a work folder, set in its beforeAll. */
export interface RealGuest {
  image: GuestImage;
  work: string;
}

/**
 * Hooks for a describe block that boots the real guest (call it inside the block): the image
 * (built on first use), a work folder on disk under `prefix` — not tmpfs: scratch disks are
 * opened with O_DIRECT (cache=none) — no VM left after each test, the folder removed at the end.
 */
export function realGuestHooks(prefix: string): RealGuest {
  const guest = { work: '' } as RealGuest;
  beforeAll(async () => {
    guest.image = await guestImage();
    guest.work = await mkdtemp(join(tmpdir(), prefix));
  }, IMAGE_BUILD_TIMEOUT_MS);
  afterEach(async () => {
    await killAllVms('test finished');
    expect(liveVms.size).toBe(0);
  });
  afterAll(async () => {
    if (guest.work !== '') await rm(guest.work, { recursive: true, force: true });
  });
  return guest;
}
