import type { Command } from 'commander';
import { consoleTail } from '../../labs/console.ts';
import { labDown, labStatus, labUp, type LabStatus } from '../../labs/lab.ts';
import { LAB_NAMES, type LabName } from '../../labs/recipe.ts';
import { LAB_HOSTS } from '../../labs/state.ts';
import { labRebootHint } from '../../hosts/ssh-errors.ts';
import { HvbError, describeError } from '../../util/errors.ts';
import { interrupt, setInterruptNote } from '../signals.ts';

const log = (line: string) => process.stderr.write(`lab: ${line}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function formatUptime(sec: number): string {
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** One line per lab: up or down, and for a lab that is up its port, uptime, image and whether SSH answers. */
export function formatLabStatus(s: LabStatus): string {
  if (!s.up || !s.state) return `${s.host}  down\n`;
  const ssh = s.sshAnswers === undefined ? '' : s.sshAnswers ? '  ssh answers' : `  ssh does not answer (${s.sshProblem ?? 'unknown'})`;
  return `${s.host}  up  port ${s.state.port}  uptime ${formatUptime(s.uptimeSec ?? 0)}  image ${s.state.imageHash} (${s.state.variant}, kernel ${s.state.kernelVersion})${ssh}\n`;
}

/** For a lab that is up but does not answer over SSH: its console's last lines and how to boot it again. */
export function formatSilentLab(s: LabStatus, tail: string): string {
  if (!s.up || !s.state || s.sshAnswers !== false) return '';
  const lines = tail === '' ? ['(nothing yet)'] : tail.split('\n');
  return [`  its console (${s.state.consoleLog}), last lines:`, ...lines.map((l) => `    ${l}`), `  ${labRebootHint(s.lab)}`, ''].join('\n');
}

export function registerLab(program: Command): void {
  const lab = program.command('lab').description('nested test hosts booted under local QEMU TCG: a Linux host with a real KVM, Xen with a Linux dom0');
  for (const name of LAB_NAMES) {
    const one = lab
      .command(name)
      .description(
        `${LAB_HOSTS[name].host}: ${name === 'kvm' ? 'Linux with kvm_amd (nested SVM under TCG)' : 'Xen 4.17 and a Linux dom0'}, offers ${LAB_HOSTS[name].backends.join(', ')}`,
      );
    const up = one.command('up').description('build the lab image if needed, boot it detached and wait until SSH answers (a lab that is up is left alone)');
    if (name === 'xen') up.option('--hvm', "include QEMU's Xen device model, SeaBIOS and option ROMs for HVM guests");
    up.action(async (opts: { hvm?: boolean }) => {
      const t0 = Date.now();
      // Ctrl-C or SIGTERM while the image is built or the lab boots takes the half-booted lab
      // down (QEMU stopped, state removed) and exits 130; a lab that is up stays up.
      setInterruptNote(`stopping lab-${name}, which has not finished booting`);
      let r: Awaited<ReturnType<typeof labUp>>;
      try {
        r = await labUp(name, { log, hvm: Boolean(opts.hvm), signal: interrupt.signal });
      } catch (e) {
        if (!interrupt.signal.aborted && !(e instanceof HvbError && e.code === 'interrupted')) throw e;
        process.stderr.write(`hvbench: ${e instanceof HvbError && e.code === 'interrupted' ? e.message : `interrupted; and then: ${describeError(e)}`}\n`);
        process.exitCode = 130;
        return;
      }
      if (r.alreadyUp) {
        process.stdout.write(
          r.state.readyAt
            ? `lab-${name} is already up (port ${r.state.port}, image ${r.state.imageHash}); nothing to do\n`
            : `lab-${name} is being booted by another \`hvbench lab ${name} up\` (QEMU pid ${r.state.pid}); nothing to do\n`,
        );
        return;
      }
      const t = r.timings;
      process.stdout.write(
        `lab-${name} is up: ssh on 127.0.0.1:${r.state.port} as root (image ${r.state.imageHash}, ${r.state.variant}, kernel ${r.state.kernelVersion})\n` +
          (t
            ? `  image ${secs(t.imageMs)}, ready marker ${secs(t.readyMs)}, SSH answered ${secs(t.sshMs)} after QEMU started; total ${secs(Date.now() - t0)}\n`
            : ''),
      );
    });
    one
      .command('status')
      .description("up or down; port, uptime, image, and whether SSH answers (if not, the console's last lines)")
      .option('--json', 'machine-readable')
      .action(async (opts: { json?: boolean }) => {
        const s = await labStatus(name);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
          return;
        }
        const silent = s.sshAnswers === false && s.state ? formatSilentLab(s, await consoleTail(s.state.consoleLog, 12)) : '';
        process.stdout.write(formatLabStatus(s) + silent);
      });
    one
      .command('down')
      .description('stop the lab (SIGTERM, then SIGKILL) and remove its state')
      .action(async () => {
        const { wasUp } = await labDown(name as LabName);
        process.stdout.write(wasUp ? `lab-${name} stopped\n` : `lab-${name} was not running (state cleaned up)\n`);
      });
  }
}
