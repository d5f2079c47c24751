import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isQmpNotReady, QmpClient } from '../../src/backends/qemu/qmp.ts';
import { hostFromConfig } from '../../src/hosts/from-config.ts';
import { SshHost } from '../../src/hosts/ssh-host.ts';
import { HvbError } from '../../src/util/errors.ts';
import { FakeQmpServer, withCapabilities } from '../backends/fixtures/fake-qmp-server.ts';
import { isRunning, processesInGroup } from '../backends/fixtures/proc-scan.ts';
import { descendants, freePort, startSshd, type TestSshd } from '../support/sshd.ts';

// A private sshd on 127.0.0.1 plays the remote host: the "remote" processes and files are
// on this machine, so the tests can check them directly in /proc and the file system.

let sshd: TestSshd;
let host: SshHost;
let scratch = '';
const extraHosts: SshHost[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  scratch = await mkdtemp(join(tmpdir(), 'hvb-ssh-int-'));
  host = new SshHost(sshd.config(), { fileCacheDir: join(scratch, 'cache') });
});

afterAll(async () => {
  const master = host?.masterPid;
  for (const h of [host, ...extraHosts]) await h?.close();
  const sshdPid = Number(readFileSync(join(sshd.dir, 'sshd.pid'), 'utf8'));
  await sshd?.stop();
  if (scratch !== '') await rm(scratch, { recursive: true, force: true });
  // Nothing may be left: no master, no sshd, no session process.
  if (master !== undefined) await waitUntil(() => !isRunning(master), 5_000);
  expect(isRunning(sshdPid)).toBe(false);
  expect(descendants(sshdPid)).toEqual([]);
});

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - started;
}

async function rejection(promise: Promise<unknown>): Promise<HvbError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HvbError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** Spawns a detached remote shell that prints its pid and then becomes `sleep`. */
async function remoteSleeper(target: SshHost = host) {
  const child = target.spawn(['sh', '-c', 'echo $$; exec sleep 300'], { detached: true });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await waitUntil(() => out.includes('\n'), 15_000);
  return { child, pid: Number(out.trim()) };
}

describe('SshHost over a real sshd on 127.0.0.1', () => {
  it('runs argv commands with every word intact, and reports exit codes and stderr', async () => {
    const words = ['', 'a b', "it's", '$(id)', '`id`', 'line\nbreak', 'grüße ✓', '*', '-n'];
    const result = await host.exec(['printf', '%s\\0', ...words]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(words);
    expect(await host.exec(['sh', '-c', 'echo oops >&2; exit 7'])).toEqual({ exitCode: 7, stdout: '', stderr: 'oops\n' });
    expect((await host.exec(['hvbench-no-such-program'])).exitCode).toBe(127);
    expect(await host.exec(['cat'], { input: 'fed through\nstdin' })).toMatchObject({ exitCode: 0, stdout: 'fed through\nstdin' });
  });

  it('multiplexes: one master, and later commands do not log in again', async () => {
    expect(host.masterPid).toBeGreaterThan(0);
    expect(isRunning(host.masterPid!)).toBe(true);
    const logins = (sshd.log().match(/Accepted publickey/g) ?? []).length;
    const started = performance.now();
    for (let i = 0; i < 5; i++) expect((await host.exec(['true'])).exitCode).toBe(0);
    const perExec = (performance.now() - started) / 5;
    process.stderr.write(`ssh exec latency with multiplexing: ${perExec.toFixed(0)} ms per command\n`);
    expect((sshd.log().match(/Accepted publickey/g) ?? []).length).toBe(logins);
  });

  it('makes private temporary directories, writes and reads files, removes trees', async () => {
    const dir = await host.makeTempDir('hvb-ssh-test-');
    expect(dir).toMatch(/^\/.*\/hvb-ssh-test-[0-9a-f]{12}$/);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const path = join(dir, "odd name 'with' $(quotes)");
    await host.writeFile(path, 'first line\nsecond ✓\n');
    expect(readFileSync(path, 'utf8')).toBe('first line\nsecond ✓\n');
    expect(await host.readFile(path)).toBe('first line\nsecond ✓\n');
    await host.writeFile(path, new Uint8Array([0, 1, 2, 255]));
    expect([...readFileSync(path)]).toEqual([0, 1, 2, 255]);
    const missing = await rejection(host.readFile(join(dir, 'missing')));
    expect(missing.code).toBe('ENOENT');
    expect(missing.message).toContain('No such file or directory');
    await host.removeTree(dir);
    expect(existsSync(dir)).toBe(false);
    await expect(host.makeTempDir('a/b')).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(host.removeTree('/')).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('spawns with piped stdin, a working directory and environment', async () => {
    const dir = await host.makeTempDir('hvb-ssh-spawn-');
    const child = host.spawn(['sh', '-c', 'pwd; echo "$HVB_TEST_VAR"; cat'], { cwd: dir, env: { HVB_TEST_VAR: "a 'b' c" } });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stdin!.end('from stdin');
    const result = await child.exited;
    expect(result.exitCode).toBe(0);
    expect(out).toBe(`${dir}\na 'b' c\nfrom stdin`);
    await host.removeTree(dir);
  });

  it('runs a detached program as the leader of its own group, tied to its ssh', async () => {
    const { child, pid } = await remoteSleeper();
    expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('sleep');
    // The program leads its group; the watchdog (and only it) shares the group.
    const group = processesInGroup(pid);
    expect(group).toContain(pid);
    expect(group.length).toBeLessThanOrEqual(3);
    child.kill('SIGKILL'); // hvbench dies, or the connection drops
    const ms = await waitUntil(() => processesInGroup(pid).length === 0, 10_000);
    process.stderr.write(`remote group gone ${ms} ms after the local ssh was killed\n`);
  });

  it('passes a detached program’s output and exit code, and leaves nothing behind', async () => {
    const child = host.spawn(['sh', '-c', 'echo $$; echo to-stderr >&2; exit 3'], { detached: true });
    const chunks: string[] = [];
    child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const result = await child.exited;
    expect(result.exitCode).toBe(3);
    const pid = Number(chunks.join('').trim());
    await waitUntil(() => processesInGroup(pid).length === 0, 5_000);
  });

  it('signals a remote process group, and says false once it is gone', async () => {
    const { child, pid } = await remoteSleeper();
    expect(await host.signalGroup(pid, 'SIGTERM')).toBe(true);
    await child.exited;
    await waitUntil(() => !isRunning(pid), 5_000);
    await waitUntil(async () => !(await host.signalGroup(pid)), 5_000);
    await expect(host.signalGroup(1)).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('copies a local file once into its cache by sha256, and reuses it', async () => {
    const local = join(scratch, 'payload.bin');
    await writeFile(local, Buffer.alloc(3 * 1024 * 1024, 7));
    const first = await host.putFile(local);
    expect(first).toMatch(new RegExp(`^${join(scratch, 'cache')}/[0-9a-f]{64}$`));
    expect(readFileSync(first).equals(readFileSync(local))).toBe(true);
    const mtime = statSync(first).mtimeMs;
    const before = (sshd.log().match(/session opened|Accepted/g) ?? []).length;
    const started = performance.now();
    expect(await host.putFile(local)).toBe(first);
    expect(performance.now() - started).toBeLessThan(100); // no remote command at all
    expect((sshd.log().match(/session opened|Accepted/g) ?? []).length).toBe(before);
    expect(statSync(first).mtimeMs).toBe(mtime);

    // Another process (a new host object) checks the hash once instead of copying again...
    const other = new SshHost(sshd.config(), { fileCacheDir: join(scratch, 'cache') });
    extraHosts.push(other);
    expect(await other.putFile(local)).toBe(first);
    expect(statSync(first).mtimeMs).toBe(mtime);
    // ...and sends it again when the copy there is damaged.
    await writeFile(first, 'damaged');
    const third = new SshHost(sshd.config(), { fileCacheDir: join(scratch, 'cache') });
    extraHosts.push(third);
    expect(await third.putFile(local)).toBe(first);
    expect(readFileSync(first).equals(readFileSync(local))).toBe(true);
    await expect(host.putFile(join(scratch, 'no-such-file'))).rejects.toThrow(/ENOENT/);
  });

  describe('connectUnix', () => {
    let server: Server | undefined;
    afterAll(() => server?.close());

    it('bridges a stream to a unix socket on the host', async () => {
      const path = join(scratch, 'echo.sock');
      server = createServer((socket) => socket.pipe(socket));
      await new Promise<void>((resolve) => server!.listen(path, resolve));
      const stream = await host.connectUnix(path);
      const echoed = new Promise<string>((resolve) => stream.once('data', (chunk: Buffer) => resolve(chunk.toString())));
      stream.write('ping ✓');
      expect(await echoed).toBe('ping ✓');
      const closed = new Promise((resolve) => stream.once('close', resolve));
      stream.destroy();
      await closed;
    });

    it('keeps what the server says first, before socat reports the connection', async () => {
      const path = join(scratch, 'talker.sock');
      const talker = createServer((socket) => socket.end('greeting first\n'));
      await new Promise<void>((resolve) => talker.listen(path, resolve));
      try {
        for (let i = 0; i < 5; i++) {
          const stream = await host.connectUnix(path);
          const text = await new Promise<string>((resolve) => {
            let got = '';
            stream.on('data', (chunk: Buffer) => (got += chunk.toString()));
            stream.on('close', () => resolve(got));
          });
          expect(text).toBe('greeting first\n');
        }
      } finally {
        talker.close();
      }
    });

    it('says "not ready" (ENOENT, ECONNREFUSED) while the socket is missing or nobody listens', async () => {
      const missing = await rejection(host.connectUnix(join(scratch, 'missing.sock')));
      expect(missing.code).toBe('qmp-connect-failed');
      expect((missing.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
      expect(isQmpNotReady(missing)).toBe(true);

      const stale = join(scratch, 'stale.sock');
      const gone = createServer();
      await new Promise<void>((resolve) => gone.listen(stale, resolve));
      // Closing a listener removes its file; a socket file without a listener must stay.
      await execa('python3', ['-c', `import socket; s = socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(`${stale}2`)})`]);
      gone.close();
      const refused = await rejection(host.connectUnix(`${stale}2`));
      expect((refused.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
      expect(isQmpNotReady(refused)).toBe(true);
    });

    it('carries QMP', async () => {
      const qemu = await FakeQmpServer.create(withCapabilities((request, client) => client.answer(request, { status: 'running', running: true })));
      try {
        const client = await QmpClient.connect({ label: qemu.path, open: () => host.connectUnix(qemu.path) }, { timeoutMs: 10_000 });
        expect(client.greeting.capabilities).toEqual(['oob']);
        await expect(client.execute('query-status')).resolves.toEqual({ status: 'running', running: true });
        client.close();
      } finally {
        await qemu.close();
      }
    });
  });

  it('refuses a host whose key is not the pinned one', async () => {
    const wrong = new SshHost(sshd.config({ ssh: { address: '127.0.0.1', knownHostsFile: sshd.wrongKnownHostsFile } }));
    extraHosts.push(wrong);
    const error = await rejection(wrong.exec(['true']));
    expect(error.code).toBe('host-key-rejected');
    expect(error.message).toContain('host "test-sshd"');
    expect(error.message).toContain(`127.0.0.1:${sshd.port}`);
    expect(error.message).toMatch(/Host key verification failed/);

    const empty = join(scratch, 'empty_known_hosts');
    await writeFile(empty, '');
    const unknown = new SshHost(sshd.config({ ssh: { address: '127.0.0.1', knownHostsFile: empty } }));
    extraHosts.push(unknown);
    expect((await rejection(unknown.readFile('/etc/hostname'))).code).toBe('host-key-rejected');
  });

  it('names the host, its address and ssh’s words when nothing listens', async () => {
    const port = await freePort();
    const down = hostFromConfig(sshd.config({ name: 'gone', ssh: { address: '127.0.0.1', port } })) as SshHost;
    extraHosts.push(down);
    const error = await rejection(down.exec(['true']));
    expect(error.code).toBe('host-unreachable');
    expect(error.message).toBe(`host "gone" (root@127.0.0.1:${port}) is unreachable over ssh: ssh: connect to host 127.0.0.1 port ${port}: Connection refused`);
  });

  it('refuses a remote host without a pinned host key', () => {
    expect(() => hostFromConfig({ name: 'bare', kind: 'remote', backends: [], ssh: { address: '127.0.0.1' } })).toThrow(
      /host "bare": ssh\.knownHostsFile is required/,
    );
  });
});
