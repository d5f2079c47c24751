import { describe, expect, it } from 'vitest';
import { packSamples, unpackSamples } from '../../../src/results/index/packed.ts';
import type { Sample } from '../../../src/results/sample.ts';
import { loadRealRun } from '../../support/real-runs.ts';

const FIXTURES = ['io-paths-native-tcg', 'kvm-lab', 'native-tcg-local', 'xen-lab-pv-pvh'];

function byMetric(samples: readonly Sample[]): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const s of samples) out.set(s.metric, [...(out.get(s.metric) ?? []), s]);
  return out;
}

describe('samples as columns', () => {
  it('gives back every sample of the real runs, in order, with its keys in their order', async () => {
    let profiles = 0;
    let samplesSeen = 0;
    for (const name of FIXTURES) {
      const { samples } = await loadRealRun(name);
      samplesSeen += samples.length;
      for (const [metric, list] of byMetric(samples)) {
        const packed = JSON.parse(JSON.stringify(packSamples(metric, list))) as ReturnType<typeof packSamples>;
        const back = unpackSamples(packed);
        expect(back, `${name} ${metric}`).toEqual(list);
        expect(back.map((s) => Object.keys(s.dims))).toEqual(list.map((s) => Object.keys(s.dims)));
        profiles += packed.profiles.length;
      }
    }
    // The repetitions of a case share their profile.
    expect(profiles).toBeLessThan(samplesSeen / 2);
  });

  it('keeps samples without a repetition, or with their keys in another order, apart', () => {
    const s = (dims: Sample['dims'], value: number, ts = 't1'): Sample => ({ metric: 'm', value, unit: 'ms', better: 'lower', dims, ts });
    const list = [
      s({ case: 'a', rep: 1 }, 1),
      s({ case: 'a', rep: 2 }, 2, 't2'),
      s({ case: 'a' }, 3),
      s({ rep: 3, case: 'a' }, 4),
      s({ case: 'b', rep: 1, seq: 7 }, 5),
    ];
    const packed = packSamples('m', list);
    expect(packed.profiles.map((p) => p.keys)).toEqual([['case', 'rep'], ['case'], ['rep', 'case'], ['case', 'rep', 'seq']]);
    expect(packed.times).toEqual(['t1', 't2']);
    expect(unpackSamples(packed)).toEqual(list);
    expect(unpackSamples(packed).map((x) => Object.keys(x.dims))).toEqual(list.map((x) => Object.keys(x.dims)));
    expect(() => packSamples('other', list)).toThrow(/a sample of m among those of other/);
  });
});
