import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostConfig } from '../../src/hosts/host.ts';
import { SshHost } from '../../src/hosts/ssh-host.ts';
import { startSshd, type TestSshd } from './sshd.ts';

/** A private sshd on 127.0.0.1 and an SshHost connected to it, with a work folder of the test's own. */
export interface TestSshHost {
  sshd: TestSshd;
  host: SshHost;
  /** The test's work folder (the host's file cache is in `cache/` below it); removed by stop(). */
  dir: string;
  /** The listening sshd's pid: nothing may be left below it once the test is done (`descendants`). */
  sshdPid: number;
  /** Closes the host's ssh master, stops the server and its sessions, removes the work folder; idempotent. */
  stop(): Promise<void>;
}

/** Starts the server and the host: `prefix` names the work folder, `config` overrides the host's entry (its name, its backends). */
export async function startSshHost(prefix: string, config: Partial<HostConfig> = {}): Promise<TestSshHost> {
  const sshd = await startSshd();
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), prefix));
    const host = new SshHost(sshd.config(config), { fileCacheDir: join(dir, 'cache') });
    const sshdPid = Number(readFileSync(join(sshd.dir, 'sshd.pid'), 'utf8'));
    const work = dir;
    let stopped: Promise<void> | undefined;
    return {
      sshd,
      host,
      dir,
      sshdPid,
      stop: () =>
        (stopped ??= (async () => {
          await host.close();
          await sshd.stop();
          await rm(work, { recursive: true, force: true });
        })()),
    };
  } catch (e) {
    await sshd.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
