import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Reaps the QEMU processes libvirtd daemonizes (subreaper.py says why). */
const SUBREAPER = join(dirname(fileURLToPath(import.meta.url)), 'subreaper.py');

/** A libvirtd of the test's own: its sockets in a private folder, stopped (with the virtlogd it needed) by stop(). */
export interface PrivateLibvirtd {
  /** The connection to it: `qemu:///system?socket=<private folder>/libvirt-sock`. */
  uri: string;
  /** The pid of the daemon's subreaper, its parent (to check that it is gone after stop()). */
  pid: number;
  /** Stops the daemons this started and removes the folder; idempotent. */
  stop(): Promise<void>;
}

/** libvirt's QEMU driver keeps its log daemon's socket here; a running one is used, else the test starts its own. */
const VIRTLOGD_SOCKET = '/run/libvirt/virtlogd-sock';

function started(child: ChildProcess, what: string): ChildProcess {
  if (child.pid === undefined) throw new Error(`cannot start ${what}`);
  return child;
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts libvirtd in the foreground (under a subreaper) with a configuration of its own (UNIX sockets in a
 * temporary folder, no TCP), and virtlogd when none runs. A privileged libvirtd keeps its
 * QEMU driver's state under /run/libvirt and /var/lib/libvirt; the test undefines what it
 * defines, so nothing stays there. Resolves once the daemon answers.
 */
export async function startPrivateLibvirtd(): Promise<PrivateLibvirtd> {
  const dir = await mkdtemp(join(tmpdir(), 'hvb-libvirtd-'));
  const conf = join(dir, 'libvirtd.conf');
  await writeFile(
    conf,
    [
      `unix_sock_dir = "${dir}"`,
      'unix_sock_ro_perms = "0700"',
      'unix_sock_rw_perms = "0700"',
      'unix_sock_admin_perms = "0700"',
      'listen_tls = 0',
      'listen_tcp = 0',
      '',
    ].join('\n'),
  );
  const logd = existsSync(VIRTLOGD_SOCKET) ? undefined : started(spawn('virtlogd', ['-p', join(dir, 'virtlogd.pid')], { stdio: 'ignore' }), 'virtlogd');
  const daemon = started(
    spawn('python3', [SUBREAPER, 'libvirtd', '-f', conf, '-p', join(dir, 'libvirtd.pid')], { stdio: ['ignore', 'ignore', 'pipe'] }),
    'libvirtd',
  );
  let said = '';
  daemon.stderr?.on('data', (b: Buffer) => {
    said = (said + b.toString()).slice(-4000);
  });
  const uri = `qemu:///system?socket=${join(dir, 'libvirt-sock')}`;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await stopChild(daemon);
      await stopChild(logd);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  for (let i = 0; i < 100; i++) {
    if (daemon.exitCode !== null) break;
    const answer = await new Promise<number | null>((resolve) => {
      const v = spawn('virsh', ['-c', uri, 'version'], { stdio: 'ignore' });
      v.once('exit', (code) => resolve(code));
      v.once('error', () => resolve(null));
    });
    if (answer === 0) return { uri, pid: daemon.pid!, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`the test's libvirtd did not answer at ${uri}; it said:\n${said}`);
}
