import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import { HvbError } from '../../util/errors.ts';
import { MessageLines } from './qmp-lines.ts';

export interface QmpEvent {
  event: string;
  data: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

export interface QmpGreeting {
  version?: { qemu: { major: number; minor: number; micro: number }; package: string };
  capabilities: string[];
}

/** QEMU answered a command with `{"error": …}`. */
export class QmpCommandError extends HvbError {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super('qmp-error', `QMP command ${command} failed: ${errorClass}: ${desc}`);
  }
}

export const QMP_DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Where QMP is: a stream to open (a local unix socket, or one reached through a Host) and a
 * label for messages. `open` rejects with an HvbError `qmp-connect-failed` whose
 * `cause.code` is ENOENT or ECONNREFUSED while QEMU has not opened the socket yet.
 */
export interface QmpEndpoint {
  label: string;
  open: () => Promise<Duplex>;
}

/** The unix socket at `socketPath` on this machine. */
export function localQmpEndpoint(socketPath: string): QmpEndpoint {
  return {
    label: socketPath,
    open: () =>
      new Promise((resolve, reject) => {
        const socket = createConnection(socketPath);
        const onError = (cause: NodeJS.ErrnoException): void =>
          reject(new HvbError('qmp-connect-failed', `cannot connect to QMP socket ${socketPath}: ${cause.message}`, { cause }));
        socket.once('error', onError);
        socket.once('connect', () => {
          socket.off('error', onError);
          resolve(socket);
        });
      }),
  };
}

interface Pending {
  command: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A minimal QEMU Machine Protocol client over a byte stream (a unix socket, here or on
 * another host): greeting, capability negotiation, commands matched to answers by id, and
 * asynchronous events.
 */
export class QmpClient {
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners: ((event: QmpEvent) => void)[] = [];
  private readonly closeListeners: (() => void)[] = [];
  /** Events that arrived before anyone listened; handed to the first listener. */
  private backlog: QmpEvent[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    private readonly socket: Duplex,
    readonly greeting: QmpGreeting,
  ) {}

  /**
   * Connects (to a local socket path, or an endpoint that opens the stream), reads the
   * greeting and leaves negotiation mode (`qmp_capabilities`).
   */
  static async connect(target: string | QmpEndpoint, options: { timeoutMs?: number } = {}): Promise<QmpClient> {
    const timeoutMs = options.timeoutMs ?? QMP_DEFAULT_TIMEOUT_MS;
    const endpoint = typeof target === 'string' ? localQmpEndpoint(target) : target;
    const { socket, greeting, lines, early } = await openAndGreet(endpoint, timeoutMs);
    const client = new QmpClient(socket, greeting);
    socket.on('close', () => client.markClosed());
    socket.on('error', () => client.markClosed());
    for (const event of early) client.dispatch(event);
    lines.setHandler((message) => client.dispatch(message));
    try {
      await client.execute('qmp_capabilities', undefined, { timeoutMs });
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>, options: { timeoutMs?: number } = {}): Promise<T> {
    if (this.closed) return Promise.reject(new HvbError('qmp-closed', `QMP connection closed; cannot run ${command}`));
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? QMP_DEFAULT_TIMEOUT_MS;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HvbError('qmp-timeout', `QMP command ${command} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject, timer });
      const message = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
      this.socket.write(`${JSON.stringify(message)}\n`);
    });
  }

  /** Every event from now on; the first listener also gets events that arrived earlier. */
  onEvent(listener: (event: QmpEvent) => void): () => void {
    this.eventListeners.push(listener);
    const early = this.backlog;
    this.backlog = [];
    for (const event of early) listener(event);
    return () => {
      const index = this.eventListeners.indexOf(listener);
      if (index >= 0) this.eventListeners.splice(index, 1);
    };
  }

  /** Called once when the connection ends (QEMU quit, or close()). */
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  close(): void {
    this.socket.destroy();
    this.markClosed();
  }

  private dispatch(message: Record<string, unknown>): void {
    if (typeof message['event'] === 'string') {
      const event = message as unknown as QmpEvent;
      event.data ??= {};
      if (this.eventListeners.length === 0) this.backlog.push(event);
      for (const listener of [...this.eventListeners]) listener(event);
      return;
    }
    const id = message['id'];
    const waiting = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (waiting === undefined) return;
    this.pending.delete(id as number);
    clearTimeout(waiting.timer);
    const error = message['error'] as { class?: string; desc?: string } | undefined;
    if (error !== undefined) {
      waiting.reject(new QmpCommandError(waiting.command, error.class ?? 'GenericError', error.desc ?? '(no description)'));
    } else {
      waiting.resolve(message['return']);
    }
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new HvbError('qmp-closed', `QMP connection closed before ${waiting.command} was answered`));
    }
    this.pending.clear();
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

async function openAndGreet(
  endpoint: QmpEndpoint,
  timeoutMs: number,
): Promise<{ socket: Duplex; greeting: QmpGreeting; lines: MessageLines; early: Record<string, unknown>[] }> {
  const where = endpoint.label;
  const lines = new MessageLines();
  // QEMU can write an event (e.g. RESUME at start-up) to a client that has just connected
  // before it writes the greeting; keep such events for the client instead of failing.
  const early: Record<string, unknown>[] = [];
  return new Promise((resolve, reject) => {
    let settled = false;
    let socket: Duplex | undefined;
    const fail = (error: HvbError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new HvbError('qmp-timeout', `no QMP greeting on ${where} within ${timeoutMs} ms`)), timeoutMs);
    const greeted = (opened: Duplex): void => {
      lines.setHandler((message) => {
        const greeting = message['QMP'] as QmpGreeting | undefined;
        if (greeting === undefined && typeof message['event'] === 'string') {
          early.push(message);
          return;
        }
        if (greeting === undefined) {
          fail(new HvbError('qmp-protocol', `expected a QMP greeting on ${where}, got ${JSON.stringify(message)}`));
          return;
        }
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        lines.setHandler(undefined); // Later messages wait in the queue for the client.
        resolve({ socket: opened, greeting, lines, early });
      });
    };
    endpoint.open().then(
      (opened) => {
        if (settled) {
          opened.destroy(); // timed out while opening
          return;
        }
        socket = opened;
        opened.on('data', (chunk: Buffer) => lines.push(chunk));
        opened.on('error', (cause: NodeJS.ErrnoException) =>
          fail(new HvbError('qmp-connect-failed', `cannot connect to QMP socket ${where}: ${cause.message}`, { cause })),
        );
        opened.on('close', () => fail(new HvbError('qmp-closed', `QMP socket ${where} closed before the greeting`)));
        greeted(opened);
      },
      (error: unknown) =>
        fail(
          error instanceof HvbError
            ? error
            : new HvbError('qmp-connect-failed', `cannot connect to QMP socket ${where}: ${error instanceof Error ? error.message : String(error)}`, {
                cause: error,
              }),
        ),
    );
  });
}

/** True when a connect failed only because QEMU has not created or opened the socket yet. */
export function isQmpNotReady(error: unknown): boolean {
  if (!(error instanceof HvbError) || error.code !== 'qmp-connect-failed') return false;
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}
