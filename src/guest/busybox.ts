import { readFile } from 'node:fs/promises';
import { arch } from 'node:os';
import { HvbError } from '../util/errors.ts';
import { runCommand } from './command.ts';
import { readDynamicInfo } from './elf.ts';

/** Where the busybox-static package puts the binary, and where the guest has it. */
export const BUSYBOX_PATH = '/bin/busybox';

/**
 * The applets of an unpacked static busybox, as relative install paths (`bin/sh`,
 * `sbin/insmod`, ...), read by running that busybox with `--list-full`.
 */
export async function busyboxApplets(hostPath: string): Promise<string[]> {
  const info = readDynamicInfo(await readFile(hostPath), hostPath);
  if (info.interpreter || info.needed.length > 0) {
    throw new HvbError('busybox-dynamic', `the busybox package's ${BUSYBOX_PATH} is dynamically linked; the guest needs a static one`, {
      hint: 'use the busybox-static package in the guest recipe',
    });
  }
  if (arch() !== 'x64') {
    throw new HvbError('host-arch', `listing busybox applets runs the amd64 busybox binary, but this host is ${arch()}`, {
      hint: 'build the guest image on an amd64 host',
    });
  }
  const { stdout } = await runCommand([hostPath, '--list-full'], 'listing busybox applets');
  const applets = stdout
    .split('\n')
    .map((l) => l.trim().replace(/^\/+/, ''))
    .filter((l) => l !== '');
  if (applets.length === 0) throw new HvbError('busybox-applets', 'busybox --list-full printed no applets');
  return [...new Set(applets)].sort();
}
