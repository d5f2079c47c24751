import type { Host, HostConfig } from './host.ts';
import { LocalHost } from './local.ts';
import { SshHost } from './ssh-host.ts';

/** The Host for a hosts-file entry, a suite's host or a lab: local, or over OpenSSH. */
export function hostFromConfig(config: HostConfig): Host {
  if (config.kind === 'local') return new LocalHost(config.name);
  return new SshHost(config);
}
