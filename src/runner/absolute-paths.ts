import { isAbsolute } from 'node:path';
import type { VmSpec } from '../backends/common/backend.ts';
import { HvbError } from '../util/errors.ts';

/**
 * A path handed to a VMM, a remote host or a child process must be absolute: they run in
 * other working directories (QEMU, an ssh session, a chroot), where a relative path names
 * another file or none. The CLI resolves what the user typed once; this is the guard that
 * keeps a relative path from reaching them by another way.
 */
export function requireAbsolute(path: string, what: string): string {
  if (!isAbsolute(path)) {
    throw new HvbError('relative-path', `${what} must be an absolute path, got "${path}"`, {
      hint: 'resolve it against the working directory where it was given (path.resolve) before handing it on',
    });
  }
  return path;
}

/** Refuses a VM whose kernel, initramfs or disk paths are relative, naming the field. */
export function checkVmSpecPaths(spec: VmSpec): void {
  requireAbsolute(spec.kernel, `VM ${spec.name}: kernel`);
  requireAbsolute(spec.initramfs, `VM ${spec.name}: initramfs`);
  for (const d of spec.disks) requireAbsolute(d.path, `VM ${spec.name}: disk ${d.id}`);
}
