import { describe, expect, it } from 'vitest';
import { exportCsv } from '../../src/results/csv.ts';
import { sample } from './fixtures.ts';

describe('exportCsv', () => {
  it('writes the fixed columns, then the union of dims keys sorted, empty where absent', () => {
    const csv = exportCsv([sample(1.5, { backend: 'tcg', repetition: 1 }), sample(2, { backend: 'kvm', lab: true })]);
    expect(csv.split('\n')).toEqual([
      'ts,metric,value,unit,better,backend,case,lab,repetition',
      '2025-03-14T09:27:00.000Z,cpu.events_per_s,1.5,events/s,higher,tcg,tcg/cpu/threads=1,,1',
      '2025-03-14T09:27:00.000Z,cpu.events_per_s,2,events/s,higher,kvm,tcg/cpu/threads=1,true,',
      '',
    ]);
  });

  it('quotes commas, quotes and newlines', () => {
    const csv = exportCsv([sample(1, { case: 'tcg/disk/bs=4k,rw=read', note: 'say "hi"\nbye' })]);
    expect(csv).toContain('"tcg/disk/bs=4k,rw=read","say ""hi""\nbye"');
  });

  it('keeps full number precision and writes false as false', () => {
    const csv = exportCsv([sample(0.1 + 0.2, { lab: false })]);
    expect(csv.split('\n')[1]).toBe('2025-03-14T09:27:00.000Z,cpu.events_per_s,0.30000000000000004,events/s,higher,tcg/cpu/threads=1,false');
  });

  it('renames a dims key that would repeat a fixed column', () => {
    expect(exportCsv([sample(1, { metric: 'x' })]).split('\n')[0]).toBe('ts,metric,value,unit,better,case,dims.metric');
  });

  it('gives only the header for no samples', () => {
    expect(exportCsv([])).toBe('ts,metric,value,unit,better\n');
  });
});

describe('exportCsv against spreadsheet formula injection', () => {
  it('prefixes text cells starting with = + - @ (and tab, CR) with a quote; numbers stay numeric', () => {
    const csv = exportCsv([
      sample(-0 + 1.5, { a: '=HYPERLINK("http://x","y")', b: '+1+2', c: '-cmd', d: '@SUM(A1)', e: '\tx', f: -3, g: '-3.5', h: 'ok=1', i: 1e-7 }),
    ]);
    const [header, row] = csv.split('\n');
    expect(header).toBe('ts,metric,value,unit,better,a,b,c,case,d,e,f,g,h,i');
    expect(row).toBe(
      `2025-03-14T09:27:00.000Z,cpu.events_per_s,1.5,events/s,higher,"'=HYPERLINK(""http://x"",""y"")",'+1+2,'-cmd,tcg/cpu/threads=1,'@SUM(A1),'\tx,-3,-3.5,ok=1,1e-7`,
    );
  });

  it('neutralises a hostile dims key in the header too', () => {
    expect(exportCsv([sample(1, { '=cmd|x': 'v' })]).split('\n')[0]).toBe("ts,metric,value,unit,better,'=cmd|x,case");
  });
});
