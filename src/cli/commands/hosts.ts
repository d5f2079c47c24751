import type { Command } from 'commander';
import { hostFromConfig } from '../../hosts/from-config.ts';
import type { Host, HostConfig } from '../../hosts/host.ts';
import { LocalHost } from '../../hosts/local.ts';
import { factsOf } from '../../runner/host-facts-of.ts';
import { DEFAULT_HOSTS_FILE, knownHosts } from '../host-selection.ts';

export function registerHosts(program: Command): void {
  program
    .command('hosts')
    .description('list the hosts cases can run on: local, the hosts file, labs that are up')
    .option('--hosts-file <file>', `remote hosts (default: ${DEFAULT_HOSTS_FILE} when present)`)
    .option('--check', 'connect to each host and print its CPU and kernel')
    .option('--json', 'print JSON')
    .action(async (opts: { hostsFile?: string; check?: boolean; json?: boolean }) => {
      const hosts = await knownHosts(opts.hostsFile);
      const rows = await Promise.all(hosts.map(async (config) => ({ config, ...(opts.check ? { check: await check(config) } : {}) })));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      } else {
        for (const { config, check: c } of rows) {
          const where = config.ssh
            ? `${config.ssh.user ? `${config.ssh.user}@` : ''}${config.ssh.address}${config.ssh.port ? `:${config.ssh.port}` : ''}`
            : 'this machine';
          process.stdout.write(`${config.name.padEnd(12)} ${config.kind.padEnd(6)} ${where.padEnd(24)} ${config.backends.join(', ')}\n`);
          if (c) process.stdout.write(`${''.padEnd(12)} ${c.ok ? `answers: ${c.text}` : `UNREACHABLE: ${c.text}`}\n`);
        }
      }
      if (rows.some((r) => r.check && !r.check.ok)) process.exitCode = 1;
    });
}

async function check(config: HostConfig): Promise<{ ok: boolean; text: string }> {
  const host: Host & { close?: () => Promise<void> } = config.kind === 'local' ? new LocalHost(config.name) : hostFromConfig(config);
  try {
    const facts = await factsOf(host);
    return { ok: true, text: `${facts.cpuModel}, ${facts.cpus} CPUs, ${facts.memoryMiB} MiB, kernel ${facts.kernel}` };
  } catch (e) {
    return { ok: false, text: e instanceof Error ? e.message : String(e) };
  } finally {
    await host.close?.();
  }
}
