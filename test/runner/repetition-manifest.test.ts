import { describe, expect, it } from 'vitest';
import type { GuestImage } from '../../src/guest/image.ts';
import type { Host } from '../../src/hosts/host.ts';
import { runRepetition } from '../../src/runner/repetition.ts';
import { boot } from '../../src/workloads/boot.ts';
import { fakeBackend } from './fake-backend.ts';

const image = { kernel: '/img/vmlinuz', initramfs: '/img/initramfs.cpio.gz', hash: 'h', dir: '/img' } as GuestImage;
const host = { name: 'local', kind: 'local' } as Host;
const base = { host, image, workload: boot, params: {}, vcpus: 2, memoryMiB: 256, timeoutSec: 5, name: 't' };
const cmdline = Buffer.from('quiet panic=-1 console=ttyS0').toString('base64url');

describe('the manifest of one repetition', () => {
  it('is what the guest and its VMM reported, read while the guest ran', async () => {
    const fake = fakeBackend((say, nonce) => {
      say(`HVB ${nonce} ready uptime=1.0 kernel=6.1.0-test clock=5000000000`);
      say(`HVB ${nonce} fact hypervisor=KVM clocksource=kvm-clock`);
      say(`HVB ${nonce} fact on=guest cpus_online=0-1 cpus_allowed=0-1 cpu_sockets=1 cpu_siblings=2 cpu_cores=2 mem_kib=200000 cmdline=${cmdline}`);
      say(`HVB ${nonce} done clock=5000100000`);
    });
    let readBacks = 0;
    const backend = {
      ...fake,
      async launch(...args: Parameters<typeof fake.launch>) {
        const vm = await fake.launch(...args);
        vm.readBack = async () => {
          readBacks++;
          return { disk_cache: 'none' };
        };
        return vm;
      },
    };
    const out = await runRepetition({ ...base, backend });
    expect(out.status).toBe('completed');
    expect(readBacks).toBe(1);
    expect(out.manifest).toEqual({
      image: 'h',
      on: 'guest',
      cpus: '2',
      topology: 'sockets=1,cores=2,threads=1',
      memory_kib: '200000',
      kernel: '6.1.0-test',
      cmdline: 'quiet panic=-1',
      cmdline_backend: 'console=ttyS0',
      clocksource: 'kvm-clock',
      hypervisor: 'KVM',
      disk_cache: 'none',
    });
    // Ready and done arrived within milliseconds: too short a stretch for a drift figure.
    expect(out.values.map((v) => v.metric)).not.toContain('guest.clock_drift_ppm');
  });

  it('is absent when the guest never said ready', async () => {
    const backend = fakeBackend(() => ({ exit: { kind: 'exited', exitCode: 1, signal: null } }));
    const out = await runRepetition({ ...base, backend });
    expect(out.status).toBe('failed');
    expect(out.manifest).toBeUndefined();
  });
});
