import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { z } from 'zod';
import { HvbError } from '../util/errors.ts';
import type { HostConfig } from './host.ts';

/**
 * A hosts file: JSON naming remote machines hvbench may run cases on.
 *
 * ```json
 * { "hosts": [ { "name": "kvm1", "address": "192.0.2.10", "user": "root",
 *                "identityFile": "~/.ssh/id_ed25519", "knownHostsFile": "known_hosts",
 *                "backends": ["kvm", "tcg"], "scratchDir": "/srv/scratch",
 *                "libvirt": { "uri": "qemu:///system" } } ] }
 * ```
 * `libvirt.uri` is the connection the libvirt backends give virsh, which they run on that host.
 * Relative paths are relative to the hosts file; `~/` is the user's home. `scratchDir` is a
 * folder on the remote host, so it must be absolute there.
 */
export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Names hvbench gives its own hosts; a hosts file cannot take them. */
export const RESERVED_HOST_NAMES = ['local', 'lab-kvm', 'lab-xen'];

const entrySchema = z.strictObject({
  name: z.string().regex(HOST_NAME, 'expected a host name: letters, digits, ".", "_", "-" (at most 64)'),
  address: z
    .string()
    .min(1, 'expected a host name or IP address')
    .regex(/^[A-Za-z0-9.:_-]+$/, 'expected a host name or IP address (no spaces, no options)'),
  port: z.int().min(1).max(65535).optional(),
  user: z
    .string()
    .regex(/^[a-z_][a-z0-9_.-]{0,31}$/, 'expected a user name')
    .optional(),
  identityFile: z.string().min(1).optional(),
  knownHostsFile: z.string().min(1, 'expected the known_hosts file that pins this host key'),
  backends: z.array(z.string().min(1)).min(1, 'expected at least one backend, e.g. ["kvm"]'),
  scratchDir: z
    .string()
    .regex(/^\/[^\0\n]*$/, 'expected an absolute folder on the remote host, e.g. "/srv/scratch"')
    .refine((d) => !d.split('/').includes('..'), 'expected a folder without ".." in it')
    .optional(),
  libvirt: z
    .strictObject({
      uri: z.string().regex(/^[a-z][a-z0-9+]*:\/\/[^\s]*$/, 'expected a libvirt connection URI, e.g. "qemu:///system"'),
    })
    .optional(),
});

const fileSchema = z.strictObject({ hosts: z.array(entrySchema) });

/** Reads and checks a hosts file (`knownBackends`: the backends hvbench has); every problem names the file and the field. */
export async function loadHostsFile(path: string, knownBackends: readonly string[]): Promise<HostConfig[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new HvbError('hosts-file', `cannot read hosts file ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new HvbError('hosts-file', `${path}: not valid JSON: ${(e as Error).message}`, {
      hint: 'a hosts file is { "hosts": [ { "name", "address", "knownHostsFile", "backends" } ] }',
    });
  }
  return parseHostsFile(json, path, knownBackends);
}

export function parseHostsFile(json: unknown, path: string, knownBackends: readonly string[]): HostConfig[] {
  const parsed = fileSchema.safeParse(json);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${formatPath(issue.path)}: ${issue.message}`);
    throw hostsFileError(path, problems);
  }
  const base = dirname(resolve(path));
  const seen = new Set<string>();
  parsed.data.hosts.forEach((h, i) => {
    if (RESERVED_HOST_NAMES.includes(h.name)) problems.push(`hosts[${i}].name: "${h.name}" is hvbench's own name for a host; choose another`);
    if (seen.has(h.name)) problems.push(`hosts[${i}].name: "${h.name}" is listed twice`);
    seen.add(h.name);
    h.backends.forEach((b, j) => {
      if (!knownBackends.includes(b)) problems.push(`hosts[${i}].backends[${j}]: unknown backend "${b}"; known: ${knownBackends.join(', ')}`);
    });
  });
  if (problems.length > 0) throw hostsFileError(path, problems);
  return parsed.data.hosts.map((h) => ({
    name: h.name,
    kind: 'remote',
    backends: h.backends,
    ssh: {
      address: h.address,
      ...(h.port === undefined ? {} : { port: h.port }),
      ...(h.user === undefined ? {} : { user: h.user }),
      ...(h.identityFile === undefined ? {} : { identityFile: filePath(h.identityFile, base) }),
      knownHostsFile: filePath(h.knownHostsFile, base),
    },
    ...(h.scratchDir === undefined ? {} : { scratchDir: posix.normalize(h.scratchDir) }),
    ...(h.libvirt === undefined ? {} : { libvirt: { uri: h.libvirt.uri } }),
  }));
}

function filePath(value: string, base: string): string {
  if (value === '~' || value.startsWith('~/')) return join(homedir(), value.slice(1));
  return isAbsolute(value) ? value : join(base, value);
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || '(top level)';
}

function hostsFileError(path: string, problems: string[]): HvbError {
  return new HvbError('hosts-file', problems.map((p) => `${path}: ${p}`).join('\n'), {
    hint: 'a hosts file is { "hosts": [ { "name", "address", "knownHostsFile", "backends", optional "port", "user", "identityFile", "scratchDir", "libvirt" } ] }',
  });
}
