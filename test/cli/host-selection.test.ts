import { describe, expect, it } from 'vitest';
import { hostsToUse } from '../../src/cli/host-selection.ts';
import type { RunRecord } from '../../src/results/run-record.ts';

const ran = (...names: string[]) => ({ hosts: names.map((name) => ({ name })) }) as unknown as Pick<RunRecord, 'hosts'>;

describe('hosts a run uses', () => {
  it('takes --host when given, for a new run and a resumed one', () => {
    expect(hostsToUse(['lab-kvm'], undefined)).toEqual(['lab-kvm']);
    expect(hostsToUse(['local'], ran('lab-xen'))).toEqual(['local']);
  });

  it('resumes a run on the hosts it ran on (a Xen lab run goes back to the lab, not to this machine)', () => {
    expect(hostsToUse(undefined, ran('lab-xen'))).toEqual(['lab-xen']);
    expect(hostsToUse(undefined, ran('local', 'lab-kvm', 'local'))).toEqual(['local', 'lab-kvm']);
  });

  it('leaves the choice to the suite (or local) for a new run, and for a run that recorded no host', () => {
    expect(hostsToUse(undefined, undefined)).toBeUndefined();
    expect(hostsToUse(undefined, ran())).toBeUndefined();
  });
});
