import { describe, expect, it } from 'vitest';
import { classifyAccel } from '../../../src/backends/qemu/accel.ts';
import { describeGuestStop, guestStopCause, stoppedStatusCause } from '../../../src/backends/qemu/events.ts';

const JIT = 'Translation buffer state:\r\ngen code size       5123/1073736704\r\nTB count            13\r\n';

describe('classifyAccel', () => {
  it('says kvm only when query-kvm reports enabled', () => {
    expect(classifyAccel({ kvm: { enabled: true, present: true }, jit: 'JIT information is only available with accel=tcg\r\n' })).toEqual({
      accel: 'kvm',
      evidence: 'query-kvm: present=true, enabled=true',
    });
  });

  it('says tcg when info jit prints translation-buffer statistics', () => {
    expect(classifyAccel({ kvm: { enabled: false, present: true }, jit: JIT })).toEqual({
      accel: 'tcg',
      evidence: 'query-kvm: present=true, enabled=false; info jit: Translation buffer state:',
    });
  });

  it('says unknown without evidence', () => {
    expect(classifyAccel({ kvm: { enabled: false, present: false }, jit: 'JIT information is only available with accel=tcg' }).accel).toBe('unknown');
    expect(classifyAccel({ kvm: 'CommandNotFound: no', jit: undefined })).toEqual({
      accel: 'unknown',
      evidence: 'query-kvm: CommandNotFound: no; info jit: (no answer)',
    });
  });
});

describe('guest stop events', () => {
  const event = (name: string, data: Record<string, unknown>) => ({ event: name, data });

  it('recognises the guest stopping itself', () => {
    expect(guestStopCause(event('SHUTDOWN', { guest: true, reason: 'guest-shutdown' }))).toBe('guest-shutdown');
    expect(guestStopCause(event('SHUTDOWN', { guest: true, reason: 'guest-reset' }))).toBe('guest-reset');
    expect(guestStopCause(event('SHUTDOWN', { guest: true, reason: 'guest-panic' }))).toBe('guest-panic');
    expect(guestStopCause(event('GUEST_PANICKED', { action: 'pause' }))).toBe('guest-panic');
  });

  it('ignores host-initiated shutdowns and other events', () => {
    expect(guestStopCause(event('SHUTDOWN', { guest: false, reason: 'host-qmp-quit' }))).toBeUndefined();
    expect(guestStopCause(event('SHUTDOWN', { guest: false, reason: 'host-signal' }))).toBeUndefined();
    expect(guestStopCause(event('STOP', {}))).toBeUndefined();
  });

  it('knows which paused states are final', () => {
    expect(stoppedStatusCause('internal-error')).toBe('internal-error');
    expect(stoppedStatusCause('io-error')).toBe('io-error');
    expect(stoppedStatusCause('guest-panicked')).toBe('guest-panic');
    expect(stoppedStatusCause('paused')).toBeUndefined();
    expect(stoppedStatusCause('shutdown')).toBeUndefined();
    expect(stoppedStatusCause(undefined)).toBeUndefined();
    expect(describeGuestStop('internal-error')).toBe('QEMU stopped the guest on an internal error (internal-error)');
  });

  it('describes a reset under -no-reboot as a reboot or a panic', () => {
    expect(describeGuestStop('guest-shutdown')).toBe('guest-shutdown');
    expect(describeGuestStop('guest-reset')).toBe('guest rebooted or panicked (no-reboot)');
    expect(describeGuestStop('guest-panic')).toBe('guest-panic');
  });
});
