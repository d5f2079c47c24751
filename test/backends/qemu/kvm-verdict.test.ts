import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyCanary, type CanaryObservation } from '../../../src/backends/qemu/kvm-verdict.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

/** A canary that got nowhere and was stopped by nobody: each test fills in what happened. */
const base: CanaryObservation = {
  cpu: 'host',
  elapsedMs: 1_234,
  timeoutMs: 60_000,
  vmmLog: '',
  consoleLines: [],
  timedOut: false,
  ready: false,
  done: false,
  guestErrors: [],
  facts: {},
};

describe('classifyCanary', () => {
  it('ok: the agent finished and the guest kernel saw KVM; its view is kept', () => {
    const v = classifyCanary({
      ...base,
      ready: true,
      done: true,
      facts: { hypervisor: 'KVM', clocksource: 'kvm-clock' },
      exit: { kind: 'shutdown', reason: 'guest-shutdown', cause: 'guest-shutdown' },
    });
    expect(v).toMatchObject({ kind: 'ok', cpu: 'host', elapsedMs: 1_234, guest: { hypervisor: 'KVM', clocksource: 'kvm-clock' } });
    expect(v.detail).toBe('the canary guest booted to its agent and powered off in 1.2 s');
  });

  it('a guest that finished but saw no KVM contradicts QEMU: wrong-hypervisor, not ok', () => {
    const v = classifyCanary({ ...base, ready: true, done: true, facts: { hypervisor: 'none', clocksource: 'tsc' } });
    expect(v.kind).toBe('wrong-hypervisor');
    expect(v.detail).toMatch(/guest kernel detected no hypervisor at all .*not KVM/);
    expect(classifyCanary({ ...base, ready: true, done: true, facts: {} }).kind).toBe('wrong-hypervisor');
  });

  it('KVM internal error (QEMU 7.2 output, the guest left paused): Suberror, emulation failure, RIP and the code bytes', () => {
    const v = classifyCanary({
      ...base,
      cpu: 'host,-arch-capabilities',
      elapsedMs: 41_700,
      vmmLog: fixture('kvm-internal-error.stderr.txt'),
      exit: { kind: 'shutdown', reason: 'QEMU stopped the guest on an internal error (internal-error)', cause: 'internal-error' },
    });
    expect(v.kind).toBe('kvm-internal-error');
    expect(v.detail).toBe(
      'QEMU stopped the guest on a KVM internal error after 42 s (Suberror: 1, emulation failure, RIP=ffffffff81c4a2b6, code at RIP: f0 48 0f c7 0e 0f)',
    );
  });

  it('KVM internal error captured on this kind of machine (real mode, EIP): the same detail', () => {
    // QEMU 7.2 on a KVM whose instruction emulator gives up in real mode (firmware of int3 bytes).
    const v = classifyCanary({
      ...base,
      elapsedMs: 300,
      vmmLog: fixture('kvm-internal-error-real-mode.stderr.txt'),
      exit: { kind: 'shutdown', reason: 'x', cause: 'internal-error' },
    });
    expect(v.kind).toBe('kvm-internal-error');
    expect(v.detail).toBe(
      'QEMU stopped the guest on a KVM internal error after 0.3 s (Suberror: 1, emulation failure, EIP=0000fffa, code at EIP: f1 ff 00 f0 02 00)',
    );
  });

  it('an internal error wins over the timeout: with the guest paused it looks like no progress', () => {
    const v = classifyCanary({ ...base, timedOut: true, elapsedMs: 60_000, vmmLog: 'KVM internal error. Suberror: 1\nemulation failure\n' });
    expect(v.kind).toBe('kvm-internal-error');
    // The QMP STOP into internal-error alone is enough, even before QEMU's words arrive.
    expect(classifyCanary({ ...base, exit: { kind: 'shutdown', reason: 'x', cause: 'internal-error' } }).kind).toBe('kvm-internal-error');
  });

  it('-cpu host refused (captured: MSR 0x10a, assertion, SIGABRT) while QEMU starts', () => {
    const v = classifyCanary({
      ...base,
      elapsedMs: 180,
      startError: { code: 'vmm-exited', message: `QEMU exited while starting: killed by SIGABRT; QEMU said:\n${fixture('kvm-msr-refused.stderr.txt')}` },
    });
    expect(v).toMatchObject({ kind: 'cpu-refused', msr: '0x10a', cpu: 'host' });
    expect(v.detail).toBe('QEMU refused CPU model "host": KVM would not let it set MSR 0x10a (QEMU killed by SIGABRT, an assertion)');
  });

  it('the same MSR abort just after QMP came up (QEMU exited with 134) is still cpu-refused', () => {
    const v = classifyCanary({ ...base, vmmLog: fixture('kvm-msr-refused.stderr.txt'), exit: { kind: 'exited', exitCode: 134, signal: null } });
    expect(v).toMatchObject({ kind: 'cpu-refused', msr: '0x10a' });
    expect(v.detail).toMatch(/\(exit code 134\)$/);
  });

  it("an unknown CPU model is cpu-refused with QEMU's words", () => {
    const v = classifyCanary({
      ...base,
      cpu: 'nosuch',
      startError: { code: 'vmm-exited', message: "QEMU exited while starting: exit code 1; QEMU said:\nqemu-system-x86_64: unable to find CPU model 'nosuch'" },
    });
    expect(v.kind).toBe('cpu-refused');
    expect(v.detail).toBe('QEMU refused CPU model "nosuch": unable to find CPU model');
  });

  it('no progress (captured: only the pni warning, an empty console): says where the vCPU was', () => {
    const v = classifyCanary({
      ...base,
      timedOut: true,
      elapsedMs: 60_010,
      vmmLog: fixture('kvm-no-progress.stderr.txt'),
      exit: { kind: 'killed', reason: 'canary timeout' },
      stateAtTimeout: 'QEMU status running, vCPU at RIP=00000000001002aa (CPL 0)',
    });
    expect(v.kind).toBe('no-progress');
    expect(v.detail).toBe(
      'the canary guest did not reach its agent within 60 s (nothing on its console; QEMU status running, vCPU at RIP=00000000001002aa (CPL 0))',
    );
  });

  it('no progress after some console output names the last line; ready without done says so', () => {
    const v = classifyCanary({ ...base, timedOut: true, consoleLines: ['Probing EDD (edd=off to disable)... ok'] });
    expect(v.detail).toMatch(/did not reach its agent within 60 s \(last console line: "Probing EDD \(edd=off to disable\)\.\.\. ok"\)/);
    expect(classifyCanary({ ...base, timedOut: true, ready: true }).detail).toMatch(/said ready but did not finish its job/);
  });

  it('QEMU that cannot use KVM, or does not start, or another accelerator: vmm-failed / accel-mismatch', () => {
    expect(
      classifyCanary({
        ...base,
        startError: {
          code: 'vmm-exited',
          message:
            'QEMU exited while starting: exit code 1; QEMU said:\nCould not access KVM kernel module: Permission denied\nqemu-system-x86_64: failed to initialize kvm: Permission denied',
        },
      }),
    ).toMatchObject({
      kind: 'vmm-failed',
      detail: 'QEMU could not use KVM: failed to initialize kvm: Permission denied',
    });
    expect(
      classifyCanary({
        ...base,
        startError: {
          code: 'accel-mismatch',
          message: 'asked QEMU for kvm, but it runs tcg (query-kvm: present=false, enabled=false; info jit: Translation buffer state:)',
        },
      }).kind,
    ).toBe('accel-mismatch');
    expect(classifyCanary({ ...base, startError: { code: 'vmm-spawn-failed', message: 'cannot start qemu-system-x86_64: ENOENT' } })).toMatchObject({
      kind: 'vmm-failed',
      detail: 'QEMU did not start: cannot start qemu-system-x86_64: ENOENT',
    });
  });

  it('a guest that panicked or whose agent failed is guest-failed; an interrupted canary is not a verdict on the host', () => {
    expect(
      classifyCanary({
        ...base,
        consoleLines: ['Kernel panic - not syncing: VFS'],
        exit: { kind: 'shutdown', reason: 'guest rebooted or panicked (no-reboot)', cause: 'guest-reset' },
      }),
    ).toMatchObject({
      kind: 'guest-failed',
      detail:
        'the canary guest stopped after 1.2 s, before its agent finished: guest rebooted or panicked (no-reboot) (last console line: "Kernel panic - not syncing: VFS")',
    });
    expect(classifyCanary({ ...base, ready: true, done: true, guestErrors: ['insmod failed'] }).kind).toBe('guest-failed');
    expect(classifyCanary({ ...base, exit: { kind: 'killed', reason: 'hvbench received SIGINT' } })).toMatchObject({ kind: 'interrupted' });
    expect(classifyCanary({ ...base, exit: { kind: 'exited', exitCode: 1, signal: null }, vmmLog: 'qemu-system-x86_64: something broke\n' }).detail).toBe(
      'QEMU exited after 1.2 s (exit code 1): something broke',
    );
  });
});
