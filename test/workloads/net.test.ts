import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeJob, checkCmdline } from '../../src/guest/protocol/job.ts';
import { tapEndpoint, userEndpoint } from '../../src/network/netns-plan.ts';
import { net } from '../../src/workloads/net.ts';
import type { StepOutput } from '../../src/workloads/workload.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const step = (id: string, output: string): StepOutput => ({ id, exitCode: 0, output, elapsedMs: 2000 });
const defaults = net.params.parse({});

describe('net workload', () => {
  it('configures the probed NIC, waits for the peer, lists its queues, then runs iperf3 both ways and sockperf', () => {
    const command = net.command(net.params.parse({ timeSec: 3 }), { net: tapEndpoint() });
    expect(command.steps.map((s) => [s.id, s.argv.join(' ')])).toEqual([
      ['net-addr', 'ip addr add 10.213.0.2/30 dev @nic'],
      ['net-up', 'ip link set @nic up'],
      ['net-wait', 'ping -c 1 -w 15 10.213.0.1'],
      ['net-queues', 'ls /sys/class/net/@nic/queues'],
      ['net-tx', 'iperf3 -c 10.213.0.1 -p 5201 -J -t 3'],
      ['net-rx', 'iperf3 -c 10.213.0.1 -p 5201 -J -t 3 -R'],
      ['net-rr', 'sockperf ping-pong -i 10.213.0.1 -p 11111 -t 3 --full-rtt --no-rdtsc'],
    ]);
    expect(command.modules).toBeUndefined(); // the NIC's modules come from its model, in the runner
  });

  it('uses the TCP sockperf peer for rrProtocol tcp, and the ports of a user-mode network', () => {
    const ep = userEndpoint({ iperf3: 40001, sockperfUdp: 40002, sockperfTcp: 40003 });
    const steps = net.command(net.params.parse({ rrProtocol: 'tcp' }), { net: ep }).steps;
    expect(steps[0]!.argv).toEqual(['ip', 'addr', 'add', '10.0.2.15/24', 'dev', '@nic']);
    expect(steps.find((s) => s.id === 'net-tx')!.argv).toContain('40001');
    expect(steps.find((s) => s.id === 'net-rr')!.argv.join(' ')).toBe('sockperf ping-pong --tcp -i 10.0.2.2 -p 40003 -t 10 --full-rtt --no-rdtsc');
  });

  it('makes a job whose words the guest accepts, within the command line limit', () => {
    const command = net.command(net.params.parse({ timeSec: 600 }), { net: tapEndpoint() });
    const cmdline = `quiet panic=-1 ${encodeJob({ nonce: 'ab'.repeat(16), workload: 'net', command, probe: ['nic'] })}`;
    expect(() => checkCmdline(cmdline)).not.toThrow();
  });

  it('refuses to run without a network from the runner', () => {
    expect(() => net.command(defaults)).toThrow(expect.objectContaining({ code: 'net-no-endpoint' }));
    expect(() => net.command(defaults, {})).toThrow(/needs a network/);
  });

  it('asks for a NIC of its io class, or a named model of that class', () => {
    expect(net.devices!(defaults)).toEqual({ nic: { io: 'paravirtual' } });
    expect(net.devices!(net.params.parse({ io: 'emulated' }))).toEqual({ nic: { io: 'emulated' } });
    expect(net.devices!(net.params.parse({ device: 'rtl8139' }))).toEqual({ nic: { io: 'emulated', device: 'rtl8139' } });
    expect(net.devices!(net.params.parse({ vhost: 'on' }))).toEqual({ nic: { io: 'paravirtual', vhost: 'on' } });
    expect(net.devices!(net.params.parse({ io: 'emulated', vhost: 'off' }))).toEqual({ nic: { io: 'emulated', vhost: 'off' } });
    expect(net.params.safeParse({ vhost: 'yes' }).success).toBe(false);
    expect(net.params.safeParse({ io: 'paravirtual', device: 'e1000' }).success).toBe(false);
    expect(net.params.safeParse({ device: 'e100' }).success).toBe(false);
    expect(net.params.safeParse({ timeSec: 1 }).success).toBe(false);
    expect(net.params.safeParse({ rrProtocol: 'sctp' }).success).toBe(false);
    expect(net.tools).toEqual(['iperf3', 'sockperf']);
    expect(net.expectedSeconds(net.params.parse({ timeSec: 10 }))).toBe(54);
  });

  it('turns the three real outputs into the five metrics', () => {
    const values = net.parse(
      [step('net-tx', fixture('iperf3-tx-virtio.json')), step('net-rx', fixture('iperf3-rx-virtio.json')), step('net-rr', fixture('sockperf-udp-virtio.txt'))],
      defaults,
    );
    expect(values).toEqual([
      { metric: 'net.tx_gbit_s', value: 1.441360500815837 },
      { metric: 'net.rx_gbit_s', value: 1.7956292110584493 },
      { metric: 'net.rr_latency_avg_us', value: 718.33 },
      { metric: 'net.rr_latency_p50_us', value: 566.786 },
      { metric: 'net.rr_latency_p99_us', value: 2593.167 },
    ]);
    const declared = new Set(net.metrics.map((m) => m.name));
    for (const v of values) expect(declared.has(v.metric)).toBe(true);
  });

  it('names the missing step, and the tool error of a failed measurement', () => {
    expect(() => net.parse([step('net-tx', fixture('iperf3-tx-virtio.json'))], defaults)).toThrow(/no output for step "net-rx"/);
    const refused = [
      step('net-tx', fixture('iperf3-refused.json')),
      step('net-rx', fixture('iperf3-refused.json')),
      step('net-rr', fixture('sockperf-udp-virtio.txt')),
    ];
    expect(() => net.parse(refused, defaults)).toThrow(/iperf3 reported: unable to connect to server: Connection refused/);
  });

  it('derives the VMM CPU seconds per GiB the two iperf3 runs moved', () => {
    const outputs = [
      step('net-tx', fixture('iperf3-tx-virtio.json')),
      step('net-rx', fixture('iperf3-rx-virtio.json')),
      step('net-rr', fixture('sockperf-udp-virtio.txt')),
    ];
    const gib = (363724800 + 449327480) / 1024 ** 3;
    const [figure] = net.hostCost!(outputs, { vmmCpuS: 12 }, defaults);
    expect(figure?.metric).toBe('host.cpu_s_per_gib');
    expect(figure?.value).toBeCloseTo(12 / gib, 9);
  });
});
