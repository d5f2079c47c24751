import { describe, expect, it } from 'vitest';
import { compareConfigOf, parseSettingOption, settingsFor } from '../../src/stats/thresholds.ts';

describe('compare thresholds', () => {
  it('defaults to alpha 0.01 and a 5 % noise threshold', () => {
    expect(settingsFor('cpu.events_per_s', [])).toEqual({ alpha: 0.01, noiseThreshold: 0.05 });
  });

  it('lets the specific beat the general, and the command line beat the suite', () => {
    const suite = { noiseThreshold: 0.03, metrics: { 'boot.to_ready_ms': { noiseThreshold: 0.1 } } };
    const cli = { noiseThreshold: 0.02, alpha: 0.001 };
    expect(settingsFor('cpu.events_per_s', [suite, cli])).toEqual({ alpha: 0.001, noiseThreshold: 0.02 });
    expect(settingsFor('boot.to_ready_ms', [suite, cli])).toEqual({ alpha: 0.001, noiseThreshold: 0.1 });
    expect(settingsFor('boot.to_ready_ms', [suite, { metrics: { 'boot.to_ready_ms': { noiseThreshold: 0.2 } } }]).noiseThreshold).toBe(0.2);
  });

  it('parses command-line values: fractions, percentages and per-metric ones', () => {
    let c = parseSettingOption('5%', 'noiseThreshold', {});
    c = parseSettingOption('boot.to_ready_ms=0.2', 'noiseThreshold', c);
    c = parseSettingOption('0.001', 'alpha', c);
    expect(c).toEqual({ noiseThreshold: 0.05, alpha: 0.001, metrics: { 'boot.to_ready_ms': { noiseThreshold: 0.2 } } });
    expect(() => parseSettingOption('2', 'alpha', {})).toThrow(/--alpha "2": expected a probability between 0 and 1/);
    expect(() => parseSettingOption('x=lots', 'noiseThreshold', {})).toThrow(/--threshold "x=lots": expected a relative change/);
  });

  it("reads a suite's compare field from run.json and names what is wrong", () => {
    expect(compareConfigOf({ name: 'quick' }, 'run.json')).toBeUndefined();
    expect(compareConfigOf({ compare: { alpha: 0.05 } }, 'run.json')).toEqual({ alpha: 0.05 });
    expect(() => compareConfigOf({ compare: { metrics: { m: { noiseTreshold: 1 } } } }, 'r/run.json')).toThrow(/^r\/run\.json: suite compare\.metrics\.m: /);
  });
});
