import { describe, expect, it } from 'vitest';
import type { Backend, Capability, ProbeOptions } from '../../src/backends/backend.ts';
import { formatDoctor, runDoctor } from '../../src/cli/commands/doctor.ts';
import { LocalHost } from '../../src/hosts/local.ts';

/** A backend whose probe answers `capability` and remembers how it was asked. */
function fakeBackend(capability: Capability, calls: ProbeOptions[]): Backend {
  return {
    name: capability.backend,
    async probe(_host, options = {}) {
      calls.push(options);
      options.log?.(`${capability.backend}: probing`);
      return capability;
    },
    async launch() {
      throw new Error('doctor never launches');
    },
  };
}

const tcg: Capability = { backend: 'tcg', available: true, reason: 'QEMU 7.2.22, TCG accelerator available', facts: { qemu: '7.2.22' } };
const kvm: Capability = {
  backend: 'kvm',
  available: false,
  reason: 'KVM present but cannot boot Linux guests: the canary guest did not reach its agent within 60 s',
  facts: { canary: 'no-progress' },
  hint: "this host's KVM is kvm_pvm (PVM)",
};

describe('hvbench doctor', () => {
  it('prints one line per backend, a hint under it, and progress apart from the answers', async () => {
    const calls: ProbeOptions[] = [];
    let out = '';
    const progress: string[] = [];
    const answers = await runDoctor([fakeBackend(tcg, calls), fakeBackend(kvm, calls)], new LocalHost(), {}, { out: (t) => (out += t), progress: (l) => progress.push(l) });
    expect(answers).toEqual([tcg, kvm]);
    expect(out).toBe(
      [
        'tcg  yes  QEMU 7.2.22, TCG accelerator available',
        'kvm  no   KVM present but cannot boot Linux guests: the canary guest did not reach its agent within 60 s',
        "          hint: this host's KVM is kvm_pvm (PVM)",
        '',
      ].join('\n'),
    );
    expect(progress).toEqual(['tcg: probing', 'kvm: probing']);
    expect(calls.map((c) => c.recheck)).toEqual([undefined, undefined]);
  });

  it('--recheck asks every probe to gather its cached evidence again; --json prints the answers as they are', async () => {
    const calls: ProbeOptions[] = [];
    let out = '';
    await runDoctor([fakeBackend(kvm, calls)], new LocalHost(), { recheck: true, json: true }, { out: (t) => (out += t), progress: () => {} });
    expect(calls.map((c) => c.recheck)).toEqual([true]);
    expect(JSON.parse(out)).toEqual([kvm]);
  });

  it('formats an empty hint as no hint line', () => {
    expect(formatDoctor([{ ...tcg, hint: '' }])).toBe('tcg  yes  QEMU 7.2.22, TCG accelerator available\n');
  });
});
