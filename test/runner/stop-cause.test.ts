import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernelPanic, processFault, stopCause, vmmSummary } from '../../src/runner/stop-cause.ts';

const fixture = (name: string) => readFileSync(new URL(`../backends/fixtures/${name}`, import.meta.url), 'utf8');

describe('stopCause', () => {
  it('names a kernel panic from the guest log, with the reset QEMU saw', () => {
    const log = ['[   12.3] sysrq: Trigger a crash', '[   12.3] Kernel panic - not syncing: sysrq triggered crash', '[   12.4] Kernel Offset: disabled'];
    expect(stopCause({ kind: 'shutdown', reason: 'guest rebooted or panicked (no-reboot)', cause: 'guest-reset' }, 'before the job was done', log, '')).toBe(
      'the guest stopped before the job was done (guest rebooted or panicked (no-reboot)); the guest kernel panicked: sysrq triggered crash',
    );
  });

  it('names the signal that killed the VMM, or its exit status', () => {
    expect(stopCause({ kind: 'exited', exitCode: null, signal: 'SIGKILL' }, 'before the agent said ready', [], '')).toBe(
      'the VMM was killed by SIGKILL before the agent said ready',
    );
    expect(
      stopCause({ kind: 'exited', exitCode: 1, signal: null }, 'before the job was done', [], 'qemu-system-x86_64: -drive file=x: Could not open x\n'),
    ).toBe('the VMM exited with status 1 before the job was done; the VMM said: qemu-system-x86_64: -drive file=x: Could not open x');
  });

  it('summarises a real KVM internal error, leaving out warnings and the register dump', () => {
    const said = vmmSummary(fixture('kvm-internal-error-real-mode.stderr.txt'));
    expect(said).toBe('KVM internal error (Suberror: 1, emulation failure, EIP=0000fffa, code at EIP: f1 ff 00 f0 02 00)');
    expect(vmmSummary("qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.01H:ECX.pni [bit 0]\n")).toBeUndefined();
  });

  it('keeps a panic message short and takes the first one', () => {
    expect(kernelPanic([`Kernel panic - not syncing: ${'x'.repeat(1000)}`, 'Kernel panic - not syncing: second'])).toHaveLength(200);
    expect(kernelPanic(['Kernel panic - not syncing:'])).toBe('(no message)');
    expect(kernelPanic(['kernel: all fine'])).toBeUndefined();
  });

  it("finds the kernel's last report of a process it killed (the lines the agent prints after a failed step)", () => {
    const log = [
      'hvbench agent: step randread exited with status 139 (last kernel messages follow)',
      '[    3.101] xen_blkfront: blkfront: xvda: flush diskcache: enabled; persistent grants: enabled; indirect descriptors: enabled;',
      '[   19.872] fio[312]: segfault at 10 ip 000055d0c2a1b2c3 sp 00007ffd2e3f4a10 error 4 in fio[55d0c2a00000+9c000] likely on CPU 0 (core 0, socket 0)',
      '[   19.873] Code: 48 8b 47 10 c3 0f 1f 00',
    ];
    expect(processFault(log)).toBe(
      'fio[312]: segfault at 10 ip 000055d0c2a1b2c3 sp 00007ffd2e3f4a10 error 4 in fio[55d0c2a00000+9c000] likely on CPU 0 (core 0, socket 0)',
    );
    expect(processFault(['[    5.0] traps: fio[90] general protection fault ip:4a5f sp:7ffc error:0 in fio[400000+9c000]'])).toMatch(
      /^traps: fio\[90\] general protection/,
    );
    expect(processFault(['[    9.1] Out of memory: Killed process 77 (stress-ng) total-vm:1000kB'])).toMatch(/^Out of memory/);
    expect(processFault(['fio: job randread ended', 'all fine'])).toBeUndefined();
    expect(processFault([`[ 1.0] x[1]: segfault at 0 ${'y'.repeat(1000)}`])).toHaveLength(240);
  });
});
