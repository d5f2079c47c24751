import { createConnection } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { QmpClient, QmpCommandError, isQmpNotReady, type QmpEndpoint, type QmpEvent } from '../../../src/backends/qemu/qmp.ts';
import { connectQmpWhenReady } from '../../../src/backends/qemu/qmp-ready.ts';
import { HvbError } from '../../../src/util/errors.ts';
import { FakeQmpServer, withCapabilities, type QmpRequest } from '../fixtures/fake-qmp-server.ts';

const servers: FakeQmpServer[] = [];
const clients: QmpClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) await server.close();
});

async function serve(...args: Parameters<typeof FakeQmpServer.create>): Promise<FakeQmpServer> {
  const server = await FakeQmpServer.create(...args);
  servers.push(server);
  return server;
}

async function connect(path: string, timeoutMs = 2_000): Promise<QmpClient> {
  const client = await QmpClient.connect(path, { timeoutMs });
  clients.push(client);
  return client;
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

describe('QmpClient', () => {
  it('reads the greeting and negotiates capabilities first', async () => {
    const server = await serve(withCapabilities());
    const client = await connect(server.path);
    expect(client.greeting.version?.qemu).toEqual({ major: 7, minor: 2, micro: 22 });
    expect(client.greeting.version?.package).toBe('Debian 1:7.2+dfsg-7+deb12u18+b3');
    expect(server.clients[0]!.received).toEqual([{ execute: 'qmp_capabilities', id: 1 }]);
  });

  it('keeps an event that QEMU wrote before the greeting, in order', async () => {
    const server = await serve(withCapabilities(), { beforeGreeting: [{ timestamp: { seconds: 1, microseconds: 2 }, event: 'RESUME', data: {} }] });
    const client = await connect(server.path);
    const seen: string[] = [];
    client.onEvent((event) => seen.push(event.event));
    expect(seen).toEqual(['RESUME']);
    expect(server.clients[0]!.received).toEqual([{ execute: 'qmp_capabilities', id: 1 }]);
  });

  it('still refuses a first message that is neither greeting nor event', async () => {
    const server = await serve(withCapabilities(), { beforeGreeting: [{ return: {} }] });
    const error = await rejection(QmpClient.connect(server.path, { timeoutMs: 1_000 }));
    expect(error.code).toBe('qmp-protocol');
  });

  it('executes commands and matches answers by id, even out of order', async () => {
    const held: QmpRequest[] = [];
    const server = await serve(
      withCapabilities((request, qemu) => {
        if (request.execute === 'query-status') held.push(request);
        if (request.execute === 'query-kvm') {
          qemu.answer(request, { enabled: false, present: true });
          for (const waiting of held) qemu.answer(waiting, { status: 'running', running: true });
        }
      }),
    );
    const client = await connect(server.path);
    const status = client.execute<{ status: string }>('query-status');
    const kvm = client.execute('query-kvm');
    await expect(kvm).resolves.toEqual({ enabled: false, present: true });
    await expect(status).resolves.toEqual({ status: 'running', running: true });
    expect(server.clients[0]!.received.slice(1)).toEqual([
      { execute: 'query-status', id: 2 },
      { execute: 'query-kvm', id: 3 },
    ]);
  });

  it('sends arguments', async () => {
    const server = await serve(withCapabilities((request, qemu) => qemu.answer(request, `echo ${JSON.stringify(request.arguments)}`)));
    const client = await connect(server.path);
    await expect(client.execute('human-monitor-command', { 'command-line': 'info jit' })).resolves.toBe('echo {"command-line":"info jit"}');
  });

  it('turns an error answer into a QmpCommandError', async () => {
    const server = await serve(
      withCapabilities((request, qemu) => qemu.send({ error: { class: 'CommandNotFound', desc: 'The command x-nope has not been found' }, id: request.id })),
    );
    const client = await connect(server.path);
    const error = await rejection(client.execute('x-nope'));
    expect(error).toBeInstanceOf(QmpCommandError);
    expect(error.code).toBe('qmp-error');
    expect((error as QmpCommandError).errorClass).toBe('CommandNotFound');
    expect(error.message).toBe('QMP command x-nope failed: CommandNotFound: The command x-nope has not been found');
  });

  it('delivers events, including one sent together with the capabilities answer', async () => {
    const server = await serve((request, qemu) => {
      if (request.execute !== 'qmp_capabilities') return;
      // One write: the answer and an event. The event must wait for a listener.
      qemu.sendRaw(
        `${JSON.stringify({ return: {}, id: request.id })}\r\n${JSON.stringify({ event: 'RESUME', timestamp: { seconds: 1, microseconds: 0 } })}\r\n`,
      );
    });
    const client = await connect(server.path);
    const events: QmpEvent[] = [];
    client.onEvent((event) => events.push(event));
    server.clients[0]!.event('SHUTDOWN', { guest: true, reason: 'guest-shutdown' });
    await expect.poll(() => events.length).toBe(2);
    expect(events[0]).toMatchObject({ event: 'RESUME', data: {} });
    expect(events[1]).toEqual({
      event: 'SHUTDOWN',
      data: { guest: true, reason: 'guest-shutdown' },
      timestamp: { seconds: 1, microseconds: 2 },
    });
  });

  it('reassembles messages split anywhere, even inside a UTF-8 character', async () => {
    const server = await serve(
      withCapabilities((request, qemu) => {
        const bytes = Buffer.from(`${JSON.stringify({ return: 'TB hash █ histogram', id: request.id })}\r\n`, 'utf8');
        const cut = bytes.indexOf(Buffer.from('█', 'utf8')) + 1; // inside the 3-byte character
        qemu.sendRaw(bytes.subarray(0, cut));
        setTimeout(() => qemu.sendRaw(bytes.subarray(cut)), 20);
      }),
    );
    const client = await connect(server.path);
    await expect(client.execute('human-monitor-command', { 'command-line': 'info jit' })).resolves.toBe('TB hash █ histogram');
  });

  it('times out a command that gets no answer', async () => {
    const server = await serve(withCapabilities());
    const client = await connect(server.path);
    const error = await rejection(client.execute('query-status', undefined, { timeoutMs: 50 }));
    expect(error.code).toBe('qmp-timeout');
    expect(error.message).toContain('query-status');
  });

  it('rejects pending commands and reports the close when QEMU goes away', async () => {
    const server = await serve(withCapabilities());
    const client = await connect(server.path);
    let closed = false;
    client.onClose(() => (closed = true));
    const pending = client.execute('quit');
    server.clients[0]!.socket.destroy();
    expect((await rejection(pending)).code).toBe('qmp-closed');
    expect(closed).toBe(true);
    expect(client.isClosed).toBe(true);
    expect((await rejection(client.execute('query-status'))).code).toBe('qmp-closed');
  });

  it('says "not ready" while the socket does not exist', async () => {
    const server = await serve(withCapabilities(), { listen: false });
    const error = await rejection(QmpClient.connect(server.path, { timeoutMs: 500 }));
    expect(error.code).toBe('qmp-connect-failed');
    expect(isQmpNotReady(error)).toBe(true);
  });

  it('times out when no greeting comes', async () => {
    const server = await serve(withCapabilities(), { greet: false });
    const error = await rejection(QmpClient.connect(server.path, { timeoutMs: 100 }));
    expect(error.code).toBe('qmp-timeout');
    expect(isQmpNotReady(error)).toBe(false);
  });
});

describe('connectQmpWhenReady', () => {
  it('retries until the socket appears', async () => {
    const server = await serve(withCapabilities(), { listen: false });
    setTimeout(() => void server.listen(), 150);
    const client = await connectQmpWhenReady(server.path, { timeoutMs: 3_000, exited: new Promise(() => {}), describeExit: () => '' });
    clients.push(client);
    expect(client.greeting.capabilities).toEqual(['oob']);
  });

  it('fails with the exit description when the VMM exits first', async () => {
    const server = await serve(withCapabilities(), { listen: false });
    const exited = new Promise((resolve) => setTimeout(resolve, 100));
    const error = await rejection(
      connectQmpWhenReady(server.path, { timeoutMs: 3_000, exited, describeExit: () => "exit code 1; QEMU said: 'nope' is not a valid device" }),
    );
    expect(error.code).toBe('vmm-exited');
    expect(error.message).toContain("'nope' is not a valid device");
  });

  it('gives up after the timeout', async () => {
    const server = await serve(withCapabilities(), { listen: false });
    const error = await rejection(connectQmpWhenReady(server.path, { timeoutMs: 150, exited: new Promise(() => {}), describeExit: () => '' }));
    expect(error.code).toBe('vmm-start-timeout');
  });
});

/** An endpoint that opens the fake server's socket like a Host would, counting attempts. */
function endpointTo(path: string, notReadyFirst = 0): QmpEndpoint & { attempts: () => number } {
  let attempts = 0;
  return {
    label: `remote:${path}`,
    attempts: () => attempts,
    open: () => {
      attempts++;
      if (attempts <= notReadyFirst) {
        const cause = Object.assign(new Error('No such file or directory'), { code: 'ENOENT' });
        return Promise.reject(new HvbError('qmp-connect-failed', `cannot connect to ${path}`, { cause }));
      }
      return new Promise((resolve, reject) => {
        const socket = createConnection(path);
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
    },
  };
}

describe('QmpClient over an endpoint (a stream opened by a host)', () => {
  it('greets and executes through the stream the endpoint opens', async () => {
    const server = await serve(withCapabilities((request, qemu) => qemu.answer(request, { status: 'running', running: true })));
    const endpoint = endpointTo(server.path);
    const client = await QmpClient.connect(endpoint, { timeoutMs: 2_000 });
    clients.push(client);
    await expect(client.execute('query-status')).resolves.toEqual({ status: 'running', running: true });
    expect(endpoint.attempts()).toBe(1);
  });

  it('retries while the endpoint says the socket is not there yet', async () => {
    const server = await serve(withCapabilities());
    const endpoint = endpointTo(server.path, 3);
    const client = await connectQmpWhenReady(endpoint, { timeoutMs: 3_000, exited: new Promise(() => {}), describeExit: () => '', pollMs: 5 });
    clients.push(client);
    expect(endpoint.attempts()).toBe(4);
  });

  it('names the endpoint when no greeting comes, and closes a stream that opens too late', async () => {
    const late = new PassThrough();
    let release!: () => void;
    const opened = new Promise<void>((resolve) => (release = resolve));
    const error = await rejection(QmpClient.connect({ label: 'remote:/tmp/slow.sock', open: () => opened.then(() => late) }, { timeoutMs: 100 }));
    expect(error.code).toBe('qmp-timeout');
    expect(error.message).toContain('remote:/tmp/slow.sock');
    release();
    await expect.poll(() => late.destroyed).toBe(true);
  });
});
