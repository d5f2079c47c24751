import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_CHARS } from '../../../src/guest/protocol/lines.ts';
import { GuestSession } from '../../../src/guest/protocol/session.ts';

const nonce = '0123456789abcdef';
const frame = (rest: string) => `HVB ${nonce} ${rest}\r\n`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function transcript(output: string): string {
  const b64 = Buffer.from(output).toString('base64');
  const chunks = b64.match(/.{1,8}/g) ?? [];
  return [
    'SeaBIOS (version 1.16.2)\r\n',
    frame('ready uptime=2.31 kernel=6.1.0-44-amd64'),
    ...chunks.map((c) => frame(`out cpu ${c}`)),
    frame(`end cpu exit=0 ms=5003 bytes=${Buffer.byteLength(output)} sha256=${sha256(output)}`),
    frame('done'),
  ].join('');
}

describe('guest session', () => {
  it('reassembles step output split across arbitrary chunk boundaries', () => {
    const output = 'events per second:  1234.56\nünïcode ✓\n';
    const text = transcript(output);
    for (const size of [1, 3, 7, 64, text.length]) {
      let t = 1000;
      const s = new GuestSession(nonce, () => t++);
      for (let i = 0; i < text.length; i += size) s.feed(text.slice(i, i + size));
      s.close();
      expect(s.done).toBe(true);
      expect(s.uptimeAtReadyS).toBe(2.31);
      expect(s.kernel).toBe('6.1.0-44-amd64');
      expect(s.stepOutputs()).toEqual([{ id: 'cpu', exitCode: 0, output, elapsedMs: 5003 }]);
      expect(s.log).toEqual(['SeaBIOS (version 1.16.2)']);
    }
  });

  it('decodes UTF-8 split inside a character when fed bytes', () => {
    const bytes = Buffer.from(transcript('✓✓✓\n'));
    const s = new GuestSession(nonce);
    for (let i = 0; i < bytes.length; i++) s.feed(bytes.subarray(i, i + 1));
    s.close();
    expect(s.stepOutputs()[0]?.output).toBe('✓✓✓\n');
  });

  it('keeps garbage, forged frames and oversized lines as escaped log, never as data', () => {
    const s = new GuestSession(nonce);
    s.feed('\u001b[31mred\u001b[0m\n');
    s.feed('HVB deadbeefdeadbeef fact disk=forged\n');
    s.feed(`HVB ${nonce} fact disk\n`);
    s.feed(`HVB ${nonce} out cpu ${'A'.repeat(MAX_LINE_CHARS + 10)}\n`);
    s.feed('nul\u0000byte\n');
    s.close();
    expect(s.facts).toEqual({});
    expect(s.stepOutputs()).toEqual([]);
    expect(s.log[0]).toBe('\\x1b[31mred\\x1b[0m');
    expect(s.log.some((l) => l.includes(nonce))).toBe(false);
    expect(s.log).toContain('nul\\x00byte');
    expect(s.rejected.length).toBe(2);
  });

  it('detects output damaged on the way: a line lost, or a byte changed within the base64 alphabet', () => {
    const lost = new GuestSession(nonce);
    lost.feed(frame(`out cpu ${Buffer.from('hello').toString('base64')}`));
    lost.feed(`HVB ${nonce} out cpu aGVs!G8K\n`);
    lost.feed(frame(`end cpu exit=0 ms=1 bytes=11 sha256=${sha256('hello hello')}`));
    expect(() => lost.stepOutputs()).toThrow(
      /arrived damaged: 5 bytes decoded, the guest sent 11; 1 line\(s\) with the run's nonce did not validate, the first: out needs a step id and one base64 word: HVB <nonce> out cpu aGVs!G8K/,
    );
    const changed = new GuestSession(nonce);
    changed.feed(frame(`out cpu ${Buffer.from('hellp').toString('base64')}`));
    changed.feed(frame(`end cpu exit=0 ms=1 bytes=5 sha256=${sha256('hello')}`));
    expect(() => changed.stepOutputs()).toThrow(/arrived damaged: all 5 bytes arrived but their sha256 differs from the guest's$/);
  });

  it('keeps the first ready and records guest errors', () => {
    let t = 0;
    const s = new GuestSession(nonce, () => (t += 10));
    s.feed(frame('ready uptime=1.00 kernel=k'));
    s.feed(frame('ready uptime=9.00 kernel=k'));
    s.feed(frame('error step cpu exited with status 1'));
    expect(s.readyAt).toBe(10);
    expect(s.uptimeAtReadyS).toBe(1);
    expect(s.errors).toEqual(['step cpu exited with status 1']);
  });

  it('keeps the guest clock and the host time of the first ready and the first done', () => {
    let t = 0;
    const s = new GuestSession(nonce, () => (t += 1000));
    s.feed(frame('ready uptime=1.00 kernel=k clock=1000000000'));
    s.feed(frame('ready uptime=2.00 kernel=k clock=2000000000'));
    s.feed(frame('done clock=3000000000'));
    s.feed(frame('done clock=4000000000'));
    expect([s.readyAt, s.guestClockAtReadyNs, s.doneAt, s.guestClockAtDoneNs]).toEqual([1000, 1e9, 2000, 3e9]);
    const old = new GuestSession(nonce);
    old.feed(frame('ready uptime=1.00 kernel=k'));
    old.feed(frame('done'));
    expect([old.done, old.guestClockAtReadyNs, old.guestClockAtDoneNs]).toEqual([true, undefined, undefined]);
  });

  it('collects facts, a later one replacing an earlier one of the same key', () => {
    const s = new GuestSession(nonce);
    s.feed(frame('fact disk=sda disk_drivers=sd,ata_piix'));
    s.feed(frame('fact nic=eth0 disk=sdb'));
    s.feed('HVB ffffffffffffffff fact disk=forged\n');
    expect(s.facts).toEqual({ disk: 'sdb', disk_drivers: 'sd,ata_piix', nic: 'eth0' });
  });
});
