import type { RunRecord } from '../results/run-record.ts';
import { existsSync } from 'node:fs';
import { backendNames } from '../backends/registry.ts';
import { hostFromConfig } from '../hosts/from-config.ts';
import type { Host, HostConfig } from '../hosts/host.ts';
import { loadHostsFile } from '../hosts/hosts-file.ts';
import { LocalHost } from '../hosts/local.ts';
import { runningLabHosts } from '../labs/registry.ts';
import type { RunHost } from '../runner/run-suite.ts';
import { HvbError } from '../util/errors.ts';
import { backendList } from './context.ts';

/** The hosts file read when `--hosts-file` is not given, if it exists in the working folder. */
export const DEFAULT_HOSTS_FILE = 'hosts.json';

/** The machine hvbench runs on: it offers every backend; each backend's probe says what really works. */
export const LOCAL_HOST: HostConfig = { name: 'local', kind: 'local', backends: [...backendNames] };

/** Every host hvbench knows of: the local one, the hosts file's, and the labs that are up. */
export async function knownHosts(hostsFile?: string): Promise<HostConfig[]> {
  const file = hostsFile ?? (existsSync(DEFAULT_HOSTS_FILE) ? DEFAULT_HOSTS_FILE : undefined);
  const fromFile = file === undefined ? [] : await loadHostsFile(file, backendNames);
  return [LOCAL_HOST, ...fromFile, ...(await runningLabHosts())];
}

/** Parses `--host a,b --host c` into names, as `--backend` is parsed. */
export const hostList = backendList;

/**
 * The hosts a run uses: `--host` names, else the suite's `hosts`, else `local`. A name
 * hvbench does not know is an error that lists the known ones (and says how to start a lab).
 */
export async function selectHosts(options: {
  names?: string[];
  suiteHosts?: string[];
  hostsFile?: string;
}): Promise<{ hosts: RunHost[]; close(): Promise<void> }> {
  const known = await knownHosts(options.hostsFile);
  const names = options.names ?? options.suiteHosts ?? ['local'];
  const configs = names.map((name) => {
    const config = known.find((h) => h.name === name);
    if (config !== undefined) return config;
    const lab = /^lab-(kvm|xen)$/.exec(name);
    if (lab) throw new HvbError('usage', `host ${name} is not up`, { hint: `start it with: hvbench lab ${lab[1]} up` });
    throw new HvbError('usage', `unknown host "${name}"; known hosts: ${known.map((h) => h.name).join(', ')}`, {
      hint: `remote hosts are listed in a hosts file (${DEFAULT_HOSTS_FILE} or --hosts-file); labs appear once up`,
    });
  });
  const hosts = [...new Map(configs.map((c) => [c.name, c])).values()].map((config) => ({ config, host: hostFor(config) }));
  return {
    hosts,
    close: async () => {
      await Promise.allSettled(hosts.map((h) => (h.host as Host & { close?: () => Promise<void> }).close?.()));
    },
  };
}

function hostFor(config: HostConfig): Host {
  return config.kind === 'local' ? new LocalHost(config.name) : hostFromConfig(config);
}

/**
 * The hosts a run uses: those given with `--host`; for a resumed run without `--host`, the
 * hosts it ran on (so a lab run resumes in the lab, not on this machine); else undefined
 * (the suite's hosts, or local).
 */
export function hostsToUse(given: string[] | undefined, resumed: Pick<RunRecord, 'hosts'> | undefined): string[] | undefined {
  if (given) return given;
  const recorded = (resumed?.hosts ?? []).map((h) => h.name).filter((n): n is string => typeof n === 'string' && n !== '');
  return recorded.length > 0 ? [...new Set(recorded)] : undefined;
}
