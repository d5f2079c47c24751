import { readdir, readFile, readlink } from 'node:fs/promises';

export type SocketProto = 'tcp' | 'udp';

/** One socket of /proc/net/tcp or /proc/net/udp. */
export interface ProcSocket {
  /** Local address as dotted IPv4. */
  address: string;
  port: number;
  /** Kernel socket state: 0x0A is LISTEN for TCP, 0x07 is an unconnected (bound) UDP socket. */
  state: number;
  inode: number;
}

/** The waiting state of a server socket, per protocol. */
const SERVING_STATE: Record<SocketProto, number> = { tcp: 0x0a, udp: 0x07 };

/**
 * Parses /proc/net/tcp or /proc/net/udp (IPv4). Lines look like
 * `0: 0100D50A:1451 00000000:0000 0A … 0 79999 1 …`: the address is hex in host byte
 * order (little-endian here), the port hex, the inode the tenth field.
 */
export function parseProcNet(text: string): ProcSocket[] {
  const sockets: ProcSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const local = f[1]?.split(':');
    if (local?.length !== 2 || f[3] === undefined || f[9] === undefined) continue;
    const [hexAddr, hexPort] = local as [string, string];
    const n = Number.parseInt(hexAddr, 16);
    const address = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');
    sockets.push({ address, port: Number.parseInt(hexPort, 16), state: Number.parseInt(f[3], 16), inode: Number(f[9]) });
  }
  return sockets;
}

/** Socket inodes from the targets of /proc/<pid>/fd links, e.g. `socket:[79999]`. */
export function socketInodes(linkTargets: readonly string[]): Set<number> {
  const inodes = new Set<number>();
  for (const target of linkTargets) {
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) inodes.add(Number(m[1]));
  }
  return inodes;
}

/**
 * True when process `pid` itself holds a server socket on address:port: the socket must be
 * in the process's network namespace (/proc/<pid>/net) and among its own file descriptors,
 * so another program on the same port does not count.
 */
export async function servesOn(pid: number, proto: SocketProto, address: string, port: number): Promise<boolean> {
  let table: string;
  let fds: string[];
  try {
    table = await readFile(`/proc/${pid}/net/${proto}`, 'utf8');
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  const own = socketInodes(targets);
  return parseProcNet(table).some((s) => s.port === port && s.address === address && s.state === SERVING_STATE[proto] && own.has(s.inode));
}
