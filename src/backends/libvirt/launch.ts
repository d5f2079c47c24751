import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Host } from '../../hosts/host.ts';
import { selfOwner } from '../../network/netns-owner.ts';
import { HvbError } from '../../util/errors.ts';
import type { VmSpec } from '../common/backend.ts';
import { OWNER_ENV } from '../common/owner.ts';
import { startedVmm } from '../common/vmm-spawn.ts';
import { confirmLibvirtAccel } from './accel.ts';
import { buildDomainXml, domainName, type QemuDomainType } from './domain-xml.ts';
import { LibvirtVm } from './domain-vm.ts';
import { pinnedMemoryNodes } from './numa.ts';
import { domainPid } from './pid.ts';
import type { Virsh } from './virsh.ts';
import { trustedHostTscKhz } from '../common/host-tsc.ts';

/** The console file in the VM's folder on the libvirt host. */
export const CONSOLE_FILE = 'console.log';
/** How often the console reader looks for new bytes and whether QEMU is gone (tail -s). */
const CONSOLE_POLL_S = '0.1';

/** The uid and gid hvbench runs as on each host, read once (QEMU runs as them: domain-xml.ts runAs). */
const users = new Map<string, Promise<{ uid: number; gid: number }>>();

async function hostUser(host: Host): Promise<{ uid: number; gid: number }> {
  const read = async () => {
    const [uid, gid] = await Promise.all([host.exec(['id', '-u']), host.exec(['id', '-g'])]);
    const ids = { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
    if (uid.exitCode !== 0 || gid.exitCode !== 0 || !Number.isInteger(ids.uid) || !Number.isInteger(ids.gid)) {
      throw new HvbError('libvirt-user', `cannot tell which user hvbench runs as on ${host.name} (id -u / id -g failed)`);
    }
    return ids;
  };
  let found = users.get(host.name);
  if (!found) {
    found = read();
    users.set(host.name, found);
    found.catch(() => users.delete(host.name));
  }
  return found;
}

/** hvbench's owner mark for the domain's metadata: the one its VMMs inherit, or this process's own. */
function ownerMark(): { mark: string; pid: number } {
  const inherited = process.env[OWNER_ENV];
  if (inherited && /^\d+-\d+$/.test(inherited)) return { mark: inherited, pid: Number(inherited.split('-')[0]) };
  const me = selfOwner();
  return { mark: `${me.pid}-${me.start}`, pid: me.pid };
}

/**
 * Boots a VmSpec as a libvirt domain of `type` through virsh on its host: the kernel and
 * initramfs made available there, a private folder for the console file and the domain XML,
 * `virsh define` and `virsh start`, QEMU's pid, the console reader, and the accelerator
 * confirmed from QEMU's own answers. On any failure the domain is destroyed and undefined and
 * the folder removed before the error is thrown.
 */
export async function launchLibvirtVm(virsh: Virsh, vm: VmSpec, type: QemuDomainType): Promise<LibvirtVm> {
  const host = virsh.host;
  const [kernel, initramfs, runAs, hostTscKhz] = await Promise.all([
    place(host, vm.kernel),
    place(host, vm.initramfs),
    hostUser(host),
    type === 'qemu' ? trustedHostTscKhz(host) : undefined,
  ]);
  const memoryNodes = vm.pinning ? await pinnedMemoryNodes(host, vm.pinning.vcpus) : undefined;
  const name = domainName(vm.name, randomBytes(3).toString('hex'));
  const dir = await host.makeTempDir(`hvbench-lv-${vm.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 32)}-`);
  const consolePath = posix.join(dir, CONSOLE_FILE);
  const xmlPath = posix.join(dir, 'domain.xml');
  let defined = false;
  const undo = async (): Promise<void> => {
    if (defined) {
      await virsh.run('destroy', [name]).catch(() => {});
      await virsh.run('undefine', [name]).catch(() => {});
    }
    await host.removeTree(dir).catch(() => {});
  };
  let pid: number;
  try {
    const xml = buildDomainXml(
      { ...vm, kernel, initramfs },
      { name, type, consolePath, owner: ownerMark(), runAs, ...(memoryNodes ? { memoryNodes } : {}), ...(hostTscKhz === undefined ? {} : { hostTscKhz }) },
    );
    await host.writeFile(xmlPath, `${xml}\n`);
    await virsh.ok('define', [xmlPath]);
    defined = true;
    await virsh.ok('start', [name]);
    pid = await domainPid(host, name);
  } catch (error) {
    await undo();
    throw error;
  }
  const argv = ['tail', '-c', '+1', '-s', CONSOLE_POLL_S, '-F', `--pid=${pid}`, consolePath];
  const child = await startedVmm(host.spawn(argv, { detached: true }), 'the console reader (tail)', undo);
  const running = new LibvirtVm(virsh, child, { name, pid, tempDir: dir });
  try {
    running.accel = (await confirmLibvirtAccel(virsh, name, type)).accel;
  } catch (error) {
    await running.kill(`launch failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  return running;
}

/** An empty path stays empty, so buildDomainXml reports the missing file. */
function place(host: Host, localPath: string): Promise<string> {
  return localPath === '' ? Promise.resolve('') : host.putFile(localPath);
}
