import { buildImage } from '../../src/guest/build.ts';
import type { GuestImage } from '../../src/guest/image.ts';

/** The real guest image from the shared cache (built on first use: minutes, then instant). */
export function guestImage(): Promise<GuestImage> {
  return buildImage({ log: (line) => process.stderr.write(`image: ${line}\n`) });
}

/** Minutes allowed for a first, cold image build in a hook. */
export const IMAGE_BUILD_TIMEOUT_MS = 15 * 60_000;
