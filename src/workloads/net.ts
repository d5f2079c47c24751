import { z } from 'zod';
import { VHOST_MODES } from '../devices/models.ts';
import { HvbError } from '../util/errors.ts';
import { checkIoDevice, checkNicQueues, ioParams, ioRequest, nicQueuesParam } from './io-params.ts';
import { netSetupSteps, PEER_WAIT_SEC } from './net-guest.ts';
import { parseIperf3 } from './net-iperf3.ts';
import { NET_QUEUES_STEP, netQueuesStep, parseNetQueues } from './net-queues.ts';
import { parseSockperf } from './net-sockperf.ts';
import { cpuPerGib, HOST_CPU_PER_GIB } from './host-metrics.ts';
import { intParam } from './int-params.ts';
import { stepOutput } from './tool-output.ts';
import type { MetricValue, StepOutput, Workload } from './workload.ts';

const params = z
  .strictObject({
    /** Seconds of each of the three measurements (iperf3 each way, sockperf ping-pong). */
    timeSec: intParam(2, 600, 10),
    /** Transport of the request/response test: sockperf's default UDP, or TCP (with TCP_NODELAY). */
    rrProtocol: z.enum(['udp', 'tcp']).default('udp'),
    /** The NIC: `io` (paravirtual → virtio-net, emulated → e1000 on QEMU) or a named `device`. */
    ...ioParams('nic'),
    /**
     * vhost-net for the NIC: `auto` (the backend's choice; KVM uses it for virtio-net on a tap
     * where /dev/vhost-net is usable), `on` (a case that cannot have it is skipped with why) or
     * `off` (QEMU serves the queues itself). Absent: `auto`.
     */
    vhost: z.enum(VHOST_MODES).optional(),
    /**
     * Queue pairs of a multi-queue paravirtual NIC (virtio-net `mq`), 1–16, no more than the
     * guest's vCPUs; iperf3 then runs as many parallel streams, so every queue carries traffic.
     * Absent: the single-queue NIC and the single stream every net case had.
     */
    queues: nicQueuesParam(),
  })
  .superRefine((p, ctx) => {
    checkIoDevice(p, ctx);
    checkNicQueues(p, ctx);
  });

export type NetParams = z.output<typeof params>;

export const NET_STEPS = { tx: 'net-tx', rx: 'net-rx', rr: 'net-rr' } as const;

/**
 * Network between the guest and peers on its host: TCP throughput each way with iperf3
 * (the guest is the client; `-R` makes the peer send) and request/response round trips
 * with sockperf ping-pong. The peers run on the host side of the guest's NIC (see
 * network/netns-plumbing.ts), so the numbers are the NIC model's and the VMM's, not a
 * physical network's.
 */
export const net: Workload<typeof params> = {
  name: 'net',
  description: 'iperf3 TCP throughput guest→host and host→guest, sockperf ping-pong round trips',
  params,
  tools: ['iperf3', 'sockperf'],
  devices: (p) => ({
    nic: { ...ioRequest(p), ...(p.vhost === undefined ? {} : { vhost: p.vhost }), ...(p.queues === undefined ? {} : { queues: p.queues }) },
  }),
  // Linux's virtio_net uses at most one queue pair per vCPU: more would never carry traffic.
  guestProblems: (p, guest) =>
    p.queues !== undefined && p.queues > guest.vcpus
      ? [
          {
            param: 'queues',
            message: `${p.queues} NIC queue pairs need as many vCPUs, and the guest has ${guest.vcpus} (the guest uses one pair per vCPU at most)`,
          },
        ]
      : [],
  metrics: [
    { name: 'net.tx_gbit_s', unit: 'Gbit/s', better: 'higher', description: 'TCP throughput guest → host peer (iperf3, measured by the receiver)' },
    { name: 'net.rx_gbit_s', unit: 'Gbit/s', better: 'higher', description: 'TCP throughput host peer → guest (iperf3 -R, measured by the receiver)' },
    { name: 'net.rr_latency_avg_us', unit: 'us', better: 'lower', description: 'mean request/response round trip (sockperf ping-pong --full-rtt)' },
    { name: 'net.rr_latency_p50_us', unit: 'us', better: 'lower', description: 'median request/response round trip' },
    { name: 'net.rr_latency_p99_us', unit: 'us', better: 'lower', description: '99th percentile of the request/response round trip' },
    HOST_CPU_PER_GIB,
  ],
  // Three measurements, each with a few seconds of connection set-up and tear-down under
  // emulation, plus the wait for the link to come up.
  expectedSeconds: (p) => 3 * (p.timeSec + 3) + PEER_WAIT_SEC,
  command(p, context) {
    const ep = context?.net;
    if (!ep) {
      throw new HvbError('net-no-endpoint', 'the net workload needs a network: the runner must attach a NIC and start the peers first', {
        hint: 'see docs/network.md: the runner opens the network with a provider from network/netns-provider.ts',
      });
    }
    // One stream per queue pair: a single TCP flow is hashed to one queue and leaves the others idle.
    const streams = p.queues !== undefined && p.queues > 1 ? ['-P', String(p.queues)] : [];
    const iperf = ['iperf3', '-c', ep.peer, '-p', String(ep.ports.iperf3), '-J', '-t', String(p.timeSec), ...streams];
    const rrPort = p.rrProtocol === 'tcp' ? ep.ports.sockperfTcp : ep.ports.sockperfUdp;
    return {
      steps: [
        ...netSetupSteps(ep),
        netQueuesStep(),
        { id: NET_STEPS.tx, argv: iperf },
        { id: NET_STEPS.rx, argv: [...iperf, '-R'] },
        {
          id: NET_STEPS.rr,
          // --no-rdtsc: time with the monotonic clock, not the TSC, whose rate a guest cannot trust.
          argv: [
            'sockperf',
            'ping-pong',
            ...(p.rrProtocol === 'tcp' ? ['--tcp'] : []),
            '-i',
            ep.peer,
            '-p',
            String(rrPort),
            '-t',
            String(p.timeSec),
            '--full-rtt',
            '--no-rdtsc',
          ],
        },
      ],
    };
  },
  // A ping-pong has one round trip in flight: its round trips per second are 10⁶ / the mean in µs.
  stepWork: () => [
    { step: NET_STEPS.tx, metric: 'net.tx_gbit_s' },
    { step: NET_STEPS.rx, metric: 'net.rx_gbit_s' },
    { step: NET_STEPS.rr, metric: 'net.rr_latency_avg_us', ops: 'mean-us' },
  ],
  parse(outputs) {
    const tx = parseIperf3(outputOf(outputs, NET_STEPS.tx), { reverse: false });
    const rx = parseIperf3(outputOf(outputs, NET_STEPS.rx), { reverse: true });
    const rr = parseSockperf(outputOf(outputs, NET_STEPS.rr));
    return [
      { metric: 'net.tx_gbit_s', value: tx.bitsPerSecond / 1e9 },
      { metric: 'net.rx_gbit_s', value: rx.bitsPerSecond / 1e9 },
      { metric: 'net.rr_latency_avg_us', value: rr.avgUs },
      { metric: 'net.rr_latency_p50_us', value: rr.p50Us },
      { metric: 'net.rr_latency_p99_us', value: rr.p99Us },
    ];
  },
  // The queue pairs the guest's NIC uses (what was asked is `param.queues`).
  observedDims: (outputs) => ({ nic_queues: parseNetQueues(outputOf(outputs, NET_QUEUES_STEP)) }),
  // The job also runs sockperf, whose bytes are few: the figure is CPU per GiB of iperf3 traffic.
  hostCost(outputs, cost): MetricValue[] {
    return cpuPerGib(
      parseIperf3(outputOf(outputs, NET_STEPS.tx), { reverse: false }).bytes + parseIperf3(outputOf(outputs, NET_STEPS.rx), { reverse: true }).bytes,
      cost,
    );
  },
};

/** The tool's output of step `id`. */
function outputOf(outputs: readonly StepOutput[], id: string): string {
  return stepOutput(outputs, id).output;
}
