import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VmSpec } from '../../../src/backends/common/backend.ts';
import { liveVms } from '../../../src/backends/common/live-vms.ts';
import { createXenBackend } from '../../../src/backends/xen/xen.ts';
import { XENTOP_SOURCE } from '../../../src/backends/xen/vm.ts';
import { GuestSession } from '../../../src/guest/protocol/session.ts';
import { FakeDom0, type FakeDom0Options, type FakeGuest } from '../fixtures/xen/fake-dom0.ts';

const spec: VmSpec = {
  name: 'cpu-r1',
  vcpus: 1,
  memoryMiB: 512,
  kernel: '/images/abc/vmlinuz',
  initramfs: '/images/abc/initrds/def',
  cmdline: 'quiet panic=-1 hvb.job=xyz',
  disks: [],
  nics: [],
  console: 'serial',
};
// The ramdisk goes to the dom0 as given (the repacking for PV/PVH is xen-ramdisk.test.ts's).
const backend = createXenBackend({ destroyTimeoutMs: 500, drainQuietMs: 150, startTimeoutMs: 5_000, ramdisk: async (path) => path });

const hosts: FakeDom0[] = [];
function dom0(options: FakeDom0Options = {}): FakeDom0 {
  const host = new FakeDom0(options);
  hosts.push(host);
  return host;
}
afterEach(() => {
  for (const h of hosts.splice(0)) h.dispose();
});

const xlCalls = (host: FakeDom0, sub: string) => host.calls.filter((c) => c[0] === 'xl' && c[1] === sub);

/** Everything the VM left behind on the dom0: domains, files in its temporary folders, and whether it is still tracked. */
function leftovers(host: FakeDom0) {
  return {
    domains: [...host.domains.keys()],
    files: host.leftoverFiles(),
    tempDirsRemoved: host.tempDirs.every((d) => host.removed.includes(d)),
    tracked: liveVms.size,
  };
}
const clean = { domains: [], files: [], tempDirsRemoved: true, tracked: 0 };

describe('a Xen domain from launch to the end', () => {
  it('boots a PVH guest, streams its console, and on poweroff reads usage, drains the console, destroys and cleans up', async () => {
    let guest!: FakeGuest;
    const host = dom0({ onRunning: (g) => (guest = g) });
    const vm = await backend.launch(spec, host);
    expect(vm.accel).toBe('xen-pvh');
    expect(host.put).toEqual(['/images/abc/vmlinuz', '/images/abc/initrds/def']);
    const create = host.calls.find((c) => c[1] === 'create')!;
    expect(create.slice(0, 5)).toEqual(['xl', 'create', '-F', '-c', '-f']);
    const config = guest.domain.config;
    expect(create[5]).toBe(`${host.tempDirs[0]}/${guest.domain.name}.cfg`);
    expect(guest.domain.name).toMatch(/^hvb-cpu-r1-[0-9a-f]{8}$/);
    expect(config).toContain('kernel = "/var/cache/hvbench/files/vmlinuz"');
    expect(config).toContain('ramdisk = "/var/cache/hvbench/files/def"');
    expect(config).toContain('extra = "quiet panic=-1 hvb.job=xyz console=hvc0"');
    expect(liveVms.has(vm)).toBe(true);

    let text = '';
    vm.onConsole((chunk) => (text += chunk));
    guest.print('Linux booting\r\n');
    guest.domain.cpuS = 4.2;
    guest.shutdown(0);
    // Bytes that were still on their way from xenconsoled when the guest stopped arrive too.
    setTimeout(() => guest.print('last words\r\n'), 50);
    const exit = await vm.wait();
    expect(exit).toEqual({ kind: 'shutdown', reason: 'guest powered off', cause: 'poweroff' });
    expect(text).toBe('Linux booting\r\nlast words\r\n');
    const usage = await vm.usage();
    expect(usage).toEqual({ pid: vm.pid, cpuUserS: 4.2, cpuSystemS: 0, peakRssKiB: 512 * 1024 });
    // The usage was read while the preserved domain still existed, before xl destroy.
    const order = host.calls.map((c) => c.slice(0, 2).join(' '));
    expect(order.lastIndexOf('xl list')).toBeLessThan(order.indexOf('xl destroy'));
    expect(vm.vmmLog()).toContain('Domain 1 has shut down, reason code 0 0x0');
    await vm.kill('case finished');
    expect(xlCalls(host, 'destroy')).toHaveLength(1);
    expect(leftovers(host)).toEqual(clean);
  });

  it('reports a guest that crashed as a shutdown caused by a crash', async () => {
    const host = dom0({ onRunning: (g) => setTimeout(() => g.shutdown(3), 10) });
    const vm = await backend.launch({ ...spec, variant: 'pv' }, host);
    expect(vm.accel).toBe('xen-pv');
    expect(await vm.wait()).toEqual({ kind: 'shutdown', reason: 'guest crashed (kernel panic)', cause: 'crash' });
    expect(leftovers(host)).toEqual(clean);
  });

  it("counts the domain's PV I/O with xentop in dom0 (run --count-events), and says why when it cannot", async () => {
    // The real xentop line of a PV disk guest (fixtures/xentop), under this domain's name.
    const captured = readFileSync(join(import.meta.dirname, 'fixtures', 'xentop', 'pv-disk-running.txt'), 'utf8');
    const host = dom0({ xentop: ([name]) => captured.replace('hvb-disk-r1-ee0ed15d', name!) });
    const vm = await backend.launch(spec, host);
    expect(await vm.countEvents!()).toEqual({
      source: XENTOP_SOURCE,
      counts: expect.objectContaining({ vbd_read_requests: 2067, vbd_write_requests: 2016, vbd_out_of_requests: 0, net_to_guest_kib: 0 }),
    });
    expect(host.calls.find((c) => c[0] === 'xentop')).toEqual(['xentop', '-b', '-i', '1', '-f']);
    await vm.kill('test done');
    // A dom0 without xentop: the reason names it, and that Xen's exits are not counted either way.
    const bare = dom0();
    const other = await backend.launch(spec, bare);
    await expect(other.countEvents!()).rejects.toThrow(/^xentop failed in dom0 \(xentop: not found\); Xen's exits are not counted: .*xenalyze/);
    await other.kill('test done');
  });

  it('kill() destroys a running domain, keeps the usage read just before, and cleans up', async () => {
    let guest!: FakeGuest;
    const host = dom0({ onRunning: (g) => (guest = g) });
    const vm = await backend.launch(spec, host);
    guest.domain.cpuS = 12.5;
    await vm.kill('timeout after 30 s');
    expect(await vm.wait()).toEqual({ kind: 'killed', reason: 'timeout after 30 s' });
    expect((await vm.usage())?.cpuUserS).toBe(12.5);
    expect(vm.vmmLog()).toContain('has been destroyed');
    expect(leftovers(host)).toEqual(clean);
    await vm.kill('again');
    expect(xlCalls(host, 'destroy')).toHaveLength(1);
  });

  it('kills xl when xl destroy does not end it, and says so', async () => {
    const host = dom0({ destroyIgnored: true });
    const vm = await backend.launch(spec, host);
    await vm.kill('interrupted');
    expect(await vm.wait()).toEqual({ kind: 'killed', reason: 'interrupted' });
    expect(vm.vmmLog()).toContain('xl did not exit after xl destroy; killed');
    expect(host.tempDirs.every((d) => host.removed.includes(d))).toBe(true);
  });

  it('runs an HVM guest with an emulated IDE disk on ttyS0', async () => {
    let guest!: FakeGuest;
    const host = dom0({
      onRunning: (g) => {
        guest = g;
        setTimeout(() => g.shutdown(0), 10);
      },
    });
    const vm = await backend.launch(
      { ...spec, variant: 'hvm', disks: [{ id: 'scratch', path: '/srv/run/scratch/case-1.raw', format: 'raw', model: 'ide' }] },
      host,
    );
    expect(vm.accel).toBe('xen-hvm');
    await vm.wait();
    expect(guest.domain.config).toContain('disk = [ "format=raw,vdev=hda,access=rw,target=/srv/run/scratch/case-1.raw" ]');
    expect(guest.domain.config).toContain('console=ttyS0');
    expect(guest.domain.config).toContain('xen_platform_pci = 0');
  });
});

describe('a launch that fails halfway leaves nothing behind', () => {
  it('xl create fails: the error carries what xl said', async () => {
    const host = dom0({ onCreate: () => ({ fail: 'libxl: error: libxl_create.c:1164:do_domain_create: Domain 0:Unable to set up the device model\n' }) });
    const error = await backend.launch(spec, host).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'vmm-exited',
      message: expect.stringMatching(/xl create ended before the domain ran: exit code 3; xl said:\n[\s\S]*Unable to set up the device model/),
    });
    expect(leftovers(host)).toEqual(clean);
  });

  it('the domain is another type than asked: refused, destroyed', async () => {
    const host = dom0({ reportType: 'hvm' });
    const error = await backend.launch(spec, host).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'accel-mismatch', message: 'asked Xen for a PVH guest, but xl list -l says the domain is HVM' });
    expect(xlCalls(host, 'destroy')).toHaveLength(1);
    expect(leftovers(host)).toEqual(clean);
  });

  it('the console client cannot attach: refused, destroyed', async () => {
    const host = dom0({ onCreate: () => ({ consoleFails: 'xenconsole: Could not open /var/lock/xenconsole.1: No such file or directory\n' }) });
    const error = await backend.launch(spec, host).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'console-failed', hint: expect.stringMatching(/\/var\/lock/) });
    expect(leftovers(host)).toEqual(clean);
  });

  it('an impossible spec is refused before anything is copied or created', async () => {
    const host = dom0();
    const error = await backend.launch({ ...spec, disks: [{ id: 'scratch', path: '/srv/x.raw', format: 'raw', model: 'ide' }] }, host).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unsupported-device' });
    expect(host.calls).toEqual([]);
    expect(host.put).toEqual([]);
    expect(host.tempDirs).toEqual([]);
  });
});

describe('console framing through xl console', () => {
  it('turns a PVH guest console captured in the Xen lab into trusted frames and log lines', async () => {
    // xenconsoled's log of a PVH guest running the cpu job (the same bytes xl console delivers), nonce blanked.
    const nonce = '0123456789abcdef0123456789abcdef';
    const log = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'xen', 'console-pvh.log'), 'utf8').replaceAll('<nonce>', nonce);
    const host = dom0({
      onRunning: (g) => {
        // In pieces that cut lines and CRLFs apart, as a pty and ssh deliver them.
        for (let i = 0; i < log.length; i += 37) g.print(log.slice(i, i + 37));
        setTimeout(() => g.shutdown(0), 20);
      },
    });
    const vm = await backend.launch(spec, host);
    const session = new GuestSession(nonce);
    vm.onConsole((chunk) => session.feed(chunk));
    await vm.wait();
    session.close();
    expect(session.uptimeAtReadyS).toBe(43.84);
    expect(session.kernel).toBe('6.1.0-56-amd64');
    expect(session.errors).toEqual([]);
    expect(session.rejected).toEqual([]);
    expect(session.done).toBe(true);
    const steps = session.stepOutputs();
    expect(steps.map((s) => [s.id, s.exitCode, s.output.length])).toEqual([['cpu', 0, 808]]);
    expect(steps[0]?.output).toMatch(/events per second:\s+985\.54/);
    expect(session.log[0]).toBe('[   23.129333] ACPI: No IOAPIC entries present');
    expect(session.log.at(-1)).toBe('[   56.880977] reboot: System halted');
  });
});
