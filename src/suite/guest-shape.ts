import type { ResolvedGuest, ResolvedGuestShape } from './types.ts';

/**
 * The guest's shape as matrix axes: `guest: { vcpus: [1, 2, 4], memoryMiB: [512, 2048] }`
 * runs every workload entry once per vCPU count × memory size, vCPUs varying slower.
 */

/** One shape of the guest, with the part of it a case id shows (the fields written as axes). */
export interface GuestShape {
  guest: ResolvedGuest;
  /** `{ vcpus: 2 }` when `guest.vcpus` is an axis; empty when the suite gives single numbers. */
  given: Record<string, number>;
}

/** The value a workload parameter is written as to follow the case's vCPU count (`threads: 'vcpus'`). */
export const FOLLOW_VCPUS = 'vcpus';

function axis(field: number | number[]): number[] {
  return typeof field === 'number' ? [field] : field;
}

/** Every shape of the guest, in the order the cases run. */
export function guestShapes(shape: ResolvedGuestShape): GuestShape[] {
  return axis(shape.vcpus).flatMap((vcpus) =>
    axis(shape.memoryMiB).map((memoryMiB) => ({
      guest: { vcpus, memoryMiB },
      given: {
        ...(Array.isArray(shape.vcpus) ? { vcpus } : {}),
        ...(Array.isArray(shape.memoryMiB) ? { memoryMiB } : {}),
      },
    })),
  );
}

/** How many shapes the guest has: the factor it adds to the matrix. */
export function shapeCount(shape: ResolvedGuestShape): number {
  return axis(shape.vcpus).length * axis(shape.memoryMiB).length;
}

/** The largest vCPU count of the shape. */
export function largestVcpus(shape: ResolvedGuestShape): number {
  return Math.max(...axis(shape.vcpus));
}
