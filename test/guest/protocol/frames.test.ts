import { describe, expect, it } from 'vitest';
import { parseLine } from '../../../src/guest/protocol/frames.ts';

const nonce = 'aa11bb22cc33dd44';
const f = (rest: string) => parseLine(`HVB ${nonce} ${rest}`, nonce);

describe('console frames', () => {
  it('parses every frame kind', () => {
    expect(f('ready uptime=1.52 kernel=6.1.0-44-amd64')).toEqual({ trusted: true, frame: { kind: 'ready', uptimeS: 1.52, kernel: '6.1.0-44-amd64' } });
    expect(f('ready uptime=1.52 kernel=k alive=10')).toEqual({ trusted: true, frame: { kind: 'ready', uptimeS: 1.52, kernel: 'k', aliveEveryS: 10 } });
    expect(f('alive')).toEqual({ trusted: true, frame: { kind: 'alive' } });
    expect(f('begin seqread')).toEqual({ trusted: true, frame: { kind: 'begin', step: 'seqread' } });
    expect(f('ran seqread minflt=1200 majflt=3')).toEqual({ trusted: true, frame: { kind: 'ran', step: 'seqread', faults: { minor: 1200, major: 3 } } });
    expect(f('begin seqread minflt=1200 majflt=3 nvcsw=40 nivcsw=2')).toEqual({
      trusted: true,
      frame: { kind: 'begin', step: 'seqread', faults: { minor: 1200, major: 3 }, switches: { voluntary: 40, involuntary: 2 } },
    });
    expect(f('out cpu aGVsbG8=')).toEqual({ trusted: true, frame: { kind: 'out', step: 'cpu', base64: 'aGVsbG8=' } });
    expect(f(`end cpu exit=0 ms=5010 bytes=5 sha256=${'ab'.repeat(32)}`)).toEqual({
      trusted: true,
      frame: { kind: 'end', step: 'cpu', exitCode: 0, elapsedMs: 5010, bytes: 5, sha256: 'ab'.repeat(32) },
    });
    expect(f('error step cpu exited with status 1')).toEqual({ trusted: true, frame: { kind: 'error', message: 'step cpu exited with status 1' } });
    expect(f('done')).toEqual({ trusted: true, frame: { kind: 'done' } });
    expect(f('done clock=123456789')).toEqual({ trusted: true, frame: { kind: 'done', clockNs: 123456789 } });
    expect(f('ready uptime=0.5 kernel=6.1.0 clock=42')).toEqual({ trusted: true, frame: { kind: 'ready', uptimeS: 0.5, kernel: '6.1.0', clockNs: 42 } });
    expect(f(`fact cmdline=${'A'.repeat(600)}`)).toEqual({ trusted: true, frame: { kind: 'fact', facts: { cmdline: 'A'.repeat(600) } } });
    expect(f('fact disk=vda disk_drivers=virtio_blk,virtio-pci disk_sectors=131072')).toEqual({
      trusted: true,
      frame: { kind: 'fact', facts: { disk: 'vda', disk_drivers: 'virtio_blk,virtio-pci', disk_sectors: '131072' } },
    });
  });

  it('does not trust lines without the nonce or with another nonce', () => {
    expect(parseLine('[    0.000000] Linux version 6.1.0', nonce)).toEqual({ trusted: false });
    expect(parseLine('HVB ffffffffffffffff done', nonce)).toMatchObject({ trusted: false, reason: expect.stringMatching(/nonce/) });
    expect(parseLine(`xHVB ${nonce} done`, nonce)).toEqual({ trusted: false });
    expect(parseLine(` HVB ${nonce} done`, nonce)).toEqual({ trusted: false });
    expect(parseLine(`HVB ${nonce}done`, nonce)).toMatchObject({ trusted: false });
  });

  it.each([
    ['ready without uptime', 'ready kernel=6.1'],
    ['ready with a negative uptime', 'ready uptime=-1 kernel=6.1'],
    ['out with two data words', 'out cpu aaaa bbbb'],
    ['out with non-base64', 'out cpu <script>'],
    ['end without bytes', 'end cpu exit=0 ms=1'],
    ['end with a bad exit', 'end cpu exit=x ms=1 bytes=0 sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['end without sha256', 'end cpu exit=0 ms=1 bytes=0'],
    ['end with a short sha256', 'end cpu exit=0 ms=1 bytes=0 sha256=e3b0c442'],
    ['end with an upper-case sha256', 'end cpu exit=0 ms=1 bytes=0 sha256=E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855'],
    ['a sample, which is no frame kind', 'sample {"metric":"a","value":1,"unit":"ms"}'],
    ['an unknown kind', 'reboot now'],
    ['done with arguments', 'done now'],
    ['done with a clock and more', 'done clock=1 now'],
    ['done with a clock that is no number', 'done clock=1e9'],
    ['ready with a clock that is no number', 'ready uptime=1 kernel=6.1 clock=-5'],
    ['a command line fact that is not base64url', 'fact cmdline=a+b'],
    ['a fact longer than 128 characters other than the command line', `fact disk=${'v'.repeat(129)}`],
    ['a fact without words', 'fact'],
    ['a fact without a value separator', 'fact disk'],
    ['a fact with a shell character in its value', 'fact disk=vda;reboot'],
    ['a fact with an upper-case key', 'fact Disk=vda'],
    ['a heartbeat with words', 'alive 5'],
    ['a step bracket without its step', 'begin'],
    ['a step bracket with half of its faults', 'ran cpu minflt=5'],
    ['a step bracket with half of its switches', 'ran cpu minflt=5 majflt=0 nvcsw=3 other=1'],
    ['a step bracket with switches and no faults', 'ran cpu nvcsw=3 nivcsw=1'],
    ['a step bracket with other words', 'ran cpu now'],
    ['a heartbeat promise of no seconds', 'ready uptime=1 kernel=k alive=0'],
    ['a heartbeat promise that is not a number', 'ready uptime=1 kernel=k alive=ten'],
    ['a fact with too many words', `fact ${Array.from({ length: 17 }, (_, i) => `k${i}=v`).join(' ')}`],
  ])('rejects %s', (_what, rest) => {
    expect(f(rest)).toMatchObject({ trusted: false, reason: expect.any(String) });
  });
});
