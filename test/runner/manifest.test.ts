import { describe, expect, it } from 'vitest';
import { cpuCount, manifestFields } from '../../src/runner/manifest.ts';

const b64 = (text: string) => Buffer.from(text).toString('base64url');

describe('manifest fields of one boot', () => {
  it('reads the guest facts, the kernel, the VMM and the image; the backend arguments apart', () => {
    const fields = manifestFields({
      facts: {
        on: 'guest',
        cpus_online: '0-1',
        cpus_allowed: '0-1',
        cpu_sockets: '1',
        cpu_siblings: '2',
        cpu_cores: '2',
        mem_kib: '475000',
        cmdline: b64('quiet panic=-1 pci=off tsc_early_khz=2000000 tsc=reliable console=ttyS0'),
        clocksource: 'tsc',
        hypervisor: 'KVM',
        disk: 'vda',
        disk_drivers: 'virtio_blk,virtio_pci',
        disk_mq: '2',
        disk_nr_requests: '256',
        disk_write_cache: 'write_back',
        disk_scheduler: 'none',
        nic_rx_queues: '1',
        nic_tx_queues: '1',
        nic_features: '0101',
      },
      kernel: '6.1.0-18-amd64',
      vmm: { disk_cache: 'none' },
      image: 'abc123',
    });
    expect(fields).toEqual({
      on: 'guest',
      cpus: '2',
      topology: 'sockets=1,cores=2,threads=1',
      memory_kib: '475000',
      kernel: '6.1.0-18-amd64',
      cmdline: 'quiet panic=-1',
      cmdline_backend: 'pci=off tsc_early_khz=2000000 tsc=reliable console=ttyS0',
      clocksource: 'tsc',
      hypervisor: 'KVM',
      image: 'abc123',
      disk_cache: 'none',
      disk_queues: '2',
      disk_nr_requests: '256',
      disk_write_cache: 'write_back',
      disk_scheduler: 'none',
      disk_drivers: 'virtio_blk,virtio_pci',
      nic_rx_queues: '1',
      nic_tx_queues: '1',
      nic_offloads: '0101',
    });
  });

  it('leaves out what was not read, never fills it from the spec; on the host, the CPUs it may use', () => {
    const fields = manifestFields({
      facts: { on: 'host', cpus_online: '0-7', cpus_allowed: '2,3', hypervisor: 'unknown', clocksource: 'unknown' },
      image: 'abc',
    });
    expect(fields).toEqual({ on: 'host', cpus: '2', image: 'abc' });
  });

  it('counts CPU lists', () => {
    expect(cpuCount('0-3,8,10-11')).toBe(7);
    expect(cpuCount('0')).toBe(1);
    expect(cpuCount('')).toBeUndefined();
    expect(cpuCount('0-x')).toBeUndefined();
  });
});
