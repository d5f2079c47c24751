import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIBVIRT_CANARY_TIMEOUT_MS } from '../../../src/backends/libvirt/canary.ts';
import { LIBVIRT_CANARY_CACHE_DIR } from '../../../src/backends/libvirt/canary-cache.ts';
import { buildDomainXml } from '../../../src/backends/libvirt/domain-xml.ts';
import { libvirtLeftovers } from '../../../src/backends/libvirt/leftovers.ts';
import { libvirtKvmBackend, libvirtTcgBackend } from '../../../src/backends/libvirt/libvirt.ts';
import { kvmBackend } from '../../../src/backends/qemu/kvm.ts';
import { defaultCacheDir } from '../../../src/guest/cache.ts';
import { LocalHost } from '../../../src/hosts/local.ts';
import { SshHost } from '../../../src/hosts/ssh-host.ts';
import { runRepetition } from '../../../src/runner/repetition.ts';
import { boot } from '../../../src/workloads/boot.ts';
import { realGuestHooks } from '../../support/guest-image.ts';
import { startSshd } from '../../support/sshd.ts';
import { startPrivateLibvirtd, type PrivateLibvirtd } from './private-libvirtd.ts';

// The real guest under libvirt with TCG (domain type `qemu`), against a libvirtd the test
// starts with sockets of its own and stops at the end: probe facts, a boot repetition through
// the runner's runRepetition (accelerator confirmed over the monitor, console frames read from
// the console file), the same through a remote host (the test sshd), one killed by its timeout, a leftover domain found and removed by
// clean's finder, and nothing left: no domain, no QEMU, no daemon. About a minute.

const host = new LocalHost();

function virsh(uri: string, ...args: string[]): string {
  return execFileSync('virsh', ['--quiet', '-c', uri, ...args], { encoding: 'utf8' });
}

/** Processes whose command line names an hvbench domain (QEMU started by libvirt). */
function domainQemus(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('guest=hvbench-');
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('libvirt-tcg against a private libvirtd', () => {
  const guest = realGuestHooks('hvb-libvirt-int-');
  let daemon: PrivateLibvirtd;
  const before = process.env['LIBVIRT_DEFAULT_URI'];

  beforeAll(async () => {
    daemon = await startPrivateLibvirtd();
    process.env['LIBVIRT_DEFAULT_URI'] = daemon.uri;
  }, 60_000);

  afterAll(async () => {
    if (before === undefined) delete process.env['LIBVIRT_DEFAULT_URI'];
    else process.env['LIBVIRT_DEFAULT_URI'] = before;
    const pid = daemon?.pid;
    await daemon?.stop();
    if (pid !== undefined) expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);

  it('probes the daemon: libvirt version, URI, domain type, QEMU version', async () => {
    const capability = await libvirtTcgBackend.probe(host);
    expect(capability.available, capability.reason).toBe(true);
    expect(capability.facts['libvirt']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(capability.facts['libvirtUri']).toBe(daemon.uri);
    expect(capability.facts['libvirtDomainType']).toBe('qemu');
    expect(capability.facts['qemu']).toMatch(/^\d+\.\d+/);
  });

  it("says libvirt-kvm can run exactly where the kvm backend can: a canary domain boots, as kvm's canary guest does", async () => {
    const [direct, viaLibvirt] = [await kvmBackend.probe(host, { image: guest.image }), await libvirtKvmBackend.probe(host, { image: guest.image })];
    process.stderr.write(`kvm: ${direct.reason}\nlibvirt-kvm: ${viaLibvirt.reason}\n`);
    expect(viaLibvirt.available, viaLibvirt.reason).toBe(direct.available);
    // Here (a nested PVM KVM, or none): the reason names what failed, the canary or the offer.
    if (!viaLibvirt.available)
      expect(viaLibvirt.reason).toMatch(
        /cannot boot Linux guests here: the canary domain did not reach its agent within 60 s|offers no 'kvm' domains|canary domain did not start/,
      );
    expect(domainQemus()).toEqual([]);
    const checkedAt = viaLibvirt.facts['canaryCheckedAt'];
    if (checkedAt === undefined) return; // no kvm domains offered: no canary
    try {
      // The verdict is kept for this host, connection and image: asked again, no canary boots.
      const t0 = Date.now();
      const again = await libvirtKvmBackend.probe(host, { image: guest.image });
      expect(Date.now() - t0).toBeLessThan(LIBVIRT_CANARY_TIMEOUT_MS / 2);
      expect(again.available).toBe(viaLibvirt.available);
      expect(again.reason).toContain(`[canary of ${checkedAt}, cached]`);
      expect(again.facts['canaryCheckedAt']).toBe(checkedAt);
    } finally {
      // The private daemon's URI is this test's alone: its verdict is of no use to anyone after it.
      const dir = join(defaultCacheDir(), LIBVIRT_CANARY_CACHE_DIR);
      for (const f of readdirSync(dir)) if (readFileSync(join(dir, f), 'utf8').includes(daemon.uri)) rmSync(join(dir, f));
    }
  }, 200_000);

  it('says why when the daemon does not answer at the URI', async () => {
    process.env['LIBVIRT_DEFAULT_URI'] = 'qemu:///system?socket=/nonexistent/libvirt-sock';
    try {
      const capability = await libvirtTcgBackend.probe(host);
      expect(capability.available).toBe(false);
      expect(capability.reason).toMatch(/libvirt does not answer at qemu:\/\/\/system\?socket=\/nonexistent\/libvirt-sock on local: .*libvirt-sock/);
      expect(capability.hint).toMatch(/start libvirtd/);
    } finally {
      process.env['LIBVIRT_DEFAULT_URI'] = daemon.uri;
    }
  });

  it('boots the guest as a TCG domain: accelerator confirmed, console frames read, boot time measured, the domain gone after', async () => {
    const out = await runRepetition({
      backend: libvirtTcgBackend,
      host,
      image: guest.image,
      workload: boot,
      params: boot.params.parse({}),
      vcpus: 1,
      memoryMiB: 512,
      timeoutSec: 120,
      name: 'libvirt-boot',
    });
    expect(out.error, `${out.guestLog.slice(-20).join('\n')}\n${out.vmmLog}`).toBeUndefined();
    expect(out.status).toBe('completed');
    expect(out.accel).toBe('tcg');
    // The agent's frames came through the console file: its ready and the boot figure.
    expect(out.guestKernel).toMatch(/^\d+\.\d+/);
    const ready = out.values.find((v) => v.metric === 'boot.to_ready_ms');
    expect(ready?.value).toBeGreaterThan(0);
    expect(out.exit).toEqual({ kind: 'shutdown', reason: 'the guest powered off', cause: 'guest-shutdown' });
    expect(out.usage?.cpuUserS).toBeGreaterThan(0);
    expect(out.values.find((v) => v.metric === 'host.vmm_peak_rss_mib')?.value).toBeGreaterThan(10);
    expect(virsh(daemon.uri, 'list', '--all', '--name').trim()).toBe('');
    expect(domainQemus()).toEqual([]);
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('hvbench-lv-libvirt-boot-'))).toEqual([]);
  }, 150_000);

  it('a repetition that times out has its domain destroyed and undefined (as Ctrl-C does: the runner kills the VM)', async () => {
    const out = await runRepetition({
      backend: libvirtTcgBackend,
      host,
      image: guest.image,
      workload: boot,
      params: boot.params.parse({}),
      vcpus: 1,
      memoryMiB: 512,
      // Under TCG the guest needs seconds to say ready: the timeout kills it while it boots.
      timeoutSec: 1,
      name: 'libvirt-timeout',
    });
    expect(out.status).toBe('timed-out');
    expect(out.exit).toEqual({ kind: 'killed', reason: 'timeout after 1 s' });
    expect(virsh(daemon.uri, 'list', '--all', '--name').trim()).toBe('');
    expect(domainQemus()).toEqual([]);
  }, 150_000);

  it('through a remote host (the test sshd): virsh runs there, against the connection its hosts-file entry names', async () => {
    const sshd = await startSshd();
    const remote = new SshHost(sshd.config({ name: 'far', backends: ['libvirt-tcg'], libvirt: { uri: daemon.uri } }));
    // The local default must not be what reaches the daemon.
    delete process.env['LIBVIRT_DEFAULT_URI'];
    try {
      const capability = await libvirtTcgBackend.probe(remote);
      expect(capability.available, capability.reason).toBe(true);
      expect(capability.facts['libvirtUri']).toBe(daemon.uri);
      const out = await runRepetition({
        backend: libvirtTcgBackend,
        host: remote,
        image: guest.image,
        workload: boot,
        params: boot.params.parse({}),
        vcpus: 1,
        memoryMiB: 512,
        timeoutSec: 120,
        name: 'libvirt-remote',
      });
      expect(out.error, `${out.guestLog.slice(-20).join('\n')}\n${out.vmmLog}`).toBeUndefined();
      expect(out.accel).toBe('tcg');
      expect(out.values.find((v) => v.metric === 'boot.to_ready_ms')?.value).toBeGreaterThan(0);
      expect(out.exit).toMatchObject({ kind: 'shutdown', cause: 'guest-shutdown' });
      expect(virsh(daemon.uri, 'list', '--all', '--name').trim()).toBe('');
      expect(domainQemus()).toEqual([]);
    } finally {
      process.env['LIBVIRT_DEFAULT_URI'] = daemon.uri;
      await remote.close();
      await sshd.stop();
    }
  }, 150_000);

  it("clean's finder removes a domain whose hvbench is gone, and skips one without hvbench's mark", async () => {
    const xml = (name: string) =>
      buildDomainXml(
        {
          name: 'x',
          vcpus: 1,
          memoryMiB: 64,
          kernel: guest.image.kernel,
          initramfs: guest.image.initramfs,
          cmdline: '',
          disks: [],
          nics: [],
          console: 'serial',
        },
        // pid 1 with a start time it never had: an owner that is gone.
        { name, type: 'qemu', consolePath: '/nonexistent/console.log', owner: { mark: '1-99999999', pid: 1 } },
      );
    const file = `${guest.work}/orphan.xml`;
    execFileSync('sh', ['-c', 'cat > "$1"', 'sh', file], { input: xml('hvbench-orphan-000000') });
    virsh(daemon.uri, 'define', file);
    execFileSync('sh', ['-c', 'cat > "$1"', 'sh', file], { input: xml('hvbench-foreign-000000').replace(/<metadata>[\s\S]*?<\/metadata>/, '') });
    virsh(daemon.uri, 'define', file);
    try {
      const finder = libvirtLeftovers(host, daemon.uri);
      const found = await finder.find({ tmpDir: guest.work });
      expect(found.found.map((f) => f.facts['domain'])).toEqual(['hvbench-orphan-000000']);
      expect(found.skipped).toEqual([{ what: `libvirt domain hvbench-foreign-000000 at ${daemon.uri}`, why: expect.stringMatching(/no hvbench owner mark/) }]);
      expect(await found.found[0]!.remove()).toEqual({ removed: `libvirt domain hvbench-orphan-000000 at ${daemon.uri}` });
      expect(virsh(daemon.uri, 'list', '--all', '--name').trim()).toBe('hvbench-foreign-000000');
    } finally {
      virsh(daemon.uri, 'undefine', 'hvbench-foreign-000000');
    }
  }, 60_000);
});
