import { describe, expect, it } from 'vitest';
import { classifyLibvirtAccel } from '../../../src/backends/libvirt/accel.ts';
import { exitFromDomState } from '../../../src/backends/libvirt/domain-state.ts';
import { libvirtDiskPath } from '../../../src/backends/libvirt/devices.ts';
import { nodesOfCpus } from '../../../src/backends/libvirt/numa.ts';
import { blockCacheMode } from '../../../src/backends/libvirt/read-back.ts';
import { domainTypesOffered, parseVirshVersion } from '../../../src/backends/libvirt/probe.ts';
import { DEFAULT_QEMU_URI, qemuUri } from '../../../src/backends/libvirt/uri.ts';
import { virshArgv, virshOn, virshSaid } from '../../../src/backends/libvirt/virsh.ts';
import type { ExecResult, Host } from '../../../src/hosts/host.ts';
import { parseHostsFile } from '../../../src/hosts/hosts-file.ts';

/** A host that records the argv it is given and answers with `result`. */
function recordingHost(result: ExecResult, extra: Partial<Host> = {}): Host & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    name: 'h1',
    kind: 'remote',
    calls,
    exec: async (argv: string[]) => {
      calls.push(argv);
      return result;
    },
    ...extra,
  } as unknown as Host & { calls: string[][] };
}

describe('virsh argv', () => {
  it('is an argv array with the connection first: a name or a monitor command is one argument whatever it holds', () => {
    expect(virshArgv('qemu:///system', 'define', '/tmp/x/domain.xml')).toEqual(['virsh', '--quiet', '-c', 'qemu:///system', 'define', '/tmp/x/domain.xml']);
    expect(virshArgv('qemu+ssh://root@h/system', 'qemu-monitor-command', 'hvbench-a', '{"execute":"query-kvm"}')).toEqual([
      'virsh',
      '--quiet',
      '-c',
      'qemu+ssh://root@h/system',
      'qemu-monitor-command',
      'hvbench-a',
      '{"execute":"query-kvm"}',
    ]);
  });

  it('runs through the Host; a failure names the command, the connection, the host and what virsh said', async () => {
    const host = recordingHost({ exitCode: 1, stdout: '', stderr: "error: failed to get domain 'hvbench-x'\n" });
    const virsh = virshOn(host, 'qemu:///system');
    await expect(virsh.ok('destroy', ['hvbench-x'])).rejects.toThrow("virsh destroy hvbench-x (qemu:///system on h1) failed: failed to get domain 'hvbench-x'");
    expect(host.calls).toEqual([['virsh', '--quiet', '-c', 'qemu:///system', 'destroy', 'hvbench-x']]);
    await expect(virshOn(recordingHost({ exitCode: 127, stdout: '', stderr: '' }), 'qemu:///system').ok('list')).rejects.toThrow(/virsh was not found on h1/);
  });

  it("virshSaid keeps virsh's error lines on one line", () => {
    const said = virshSaid({
      exitCode: 1,
      stdout: '',
      stderr: "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n",
    });
    expect(said).toBe("failed to connect to the hypervisor; Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory");
  });
});

describe('the connection URI', () => {
  it("the hosts file's, else LIBVIRT_DEFAULT_URI on the local host when it is a QEMU one, else qemu:///system", () => {
    const local = { name: 'local', kind: 'local' } as Host;
    expect(qemuUri({ ...local, libvirt: { uri: 'qemu+ssh://a/system' } } as Host, {})).toBe('qemu+ssh://a/system');
    expect(qemuUri(local, { LIBVIRT_DEFAULT_URI: 'qemu:///session' })).toBe('qemu:///session');
    expect(qemuUri(local, { LIBVIRT_DEFAULT_URI: 'xen:///system' })).toBe(DEFAULT_QEMU_URI);
    expect(qemuUri({ name: 'r', kind: 'remote' } as Host, { LIBVIRT_DEFAULT_URI: 'qemu:///session' })).toBe(DEFAULT_QEMU_URI);
  });
});

describe("the hosts file names a host's libvirt connection", () => {
  const entry = { name: 'kvm1', address: '192.0.2.10', knownHostsFile: '/k', backends: ['libvirt-kvm'] };

  it('as libvirt.uri, which the host then carries', () => {
    const [config] = parseHostsFile({ hosts: [{ ...entry, libvirt: { uri: 'qemu:///system' } }] }, '/h/hosts.json', ['libvirt-kvm']);
    expect(config?.libvirt).toEqual({ uri: 'qemu:///system' });
    expect(qemuUri({ name: 'kvm1', kind: 'remote', libvirt: config!.libvirt } as Host, {})).toBe('qemu:///system');
    expect(parseHostsFile({ hosts: [entry] }, '/h/hosts.json', ['libvirt-kvm'])[0]?.libvirt).toBeUndefined();
  });

  it('refuses what is not a connection URI, naming the field', () => {
    expect(() => parseHostsFile({ hosts: [{ ...entry, libvirt: { uri: 'system; rm -rf /' } }] }, '/h/hosts.json', ['libvirt-kvm'])).toThrow(
      '/h/hosts.json: hosts[0].libvirt.uri: expected a libvirt connection URI, e.g. "qemu:///system"',
    );
  });
});

describe('what virsh says', () => {
  it('virsh version: library, daemon and hypervisor', () => {
    const text =
      'Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: QEMU 9.0.0\nRunning hypervisor: QEMU 7.2.22\nRunning against daemon: 9.0.0\n';
    expect(parseVirshVersion(text)).toEqual({ library: '9.0.0', daemon: '9.0.0', hypervisor: 'QEMU 7.2.22' });
  });

  it('virsh capabilities: the domain types offered for x86_64 guests only', () => {
    const caps = `<capabilities><guest><os_type>hvm</os_type><arch name='i686'><domain type='xen'/></arch></guest>
      <guest><os_type>hvm</os_type><arch name='x86_64'><wordsize>64</wordsize><domain type='qemu'/><domain type='kvm'/></arch></guest></capabilities>`;
    expect(domainTypesOffered(caps)).toEqual(['qemu', 'kvm']);
    expect(domainTypesOffered('<capabilities/>')).toEqual([]);
  });

  it('domstate --reason: why the domain stopped', () => {
    expect(exitFromDomState('shut off (shutdown)\n')).toEqual({ kind: 'shutdown', reason: 'the guest powered off', cause: 'guest-shutdown' });
    expect(exitFromDomState('shut off (crashed)\n')).toMatchObject({ cause: 'guest-panicked' });
    expect(exitFromDomState('shut off (destroyed)\n')).toMatchObject({ cause: 'guest-reset' });
    expect(exitFromDomState('shut off (failed)\n')).toEqual({ kind: 'shutdown', reason: 'libvirt says the domain is shut off (failed)', cause: 'failed' });
    expect(exitFromDomState('running (booted)\n')).toBeUndefined();
  });

  it("the accelerator from QEMU's answers through qemu-monitor-command", () => {
    expect(classifyLibvirtAccel('{"return":{"enabled":true,"present":true},"id":"libvirt-4"}', '').accel).toBe('kvm');
    const tcg = classifyLibvirtAccel('{"return":{"enabled":false,"present":true},"id":"libvirt-4"}', 'Translation buffer state:\ngen code size 1 / 2\n');
    expect(tcg).toEqual({ accel: 'tcg', evidence: 'query-kvm: present=true, enabled=false; info jit: Translation buffer state:' });
    expect(classifyLibvirtAccel('garbage', 'JIT information is only available with accel=tcg').accel).toBe('unknown');
  });
});

describe('devices and placement', () => {
  it("disk I/O paths follow QEMU's rules, which are libvirt's", () => {
    expect(libvirtDiskPath({ aio: 'threads', cache: 'none', iothread: false }, 'ide')).toBeUndefined();
    expect(libvirtDiskPath({ aio: 'native', cache: 'writeback', iothread: false }, 'virtio-blk')).toMatch(/aio=native needs cache=none or directsync/);
    expect(libvirtDiskPath({ aio: 'threads', cache: 'none', iothread: true }, 'ide')).toMatch(/iothread serves virtio devices only/);
    expect(libvirtDiskPath({ aio: 'io_uring', cache: 'none', iothread: true, queues: 2 }, 'virtio-blk')).toBeUndefined();
  });

  it('the memory goes to the NUMA nodes of the pinned vCPUs', () => {
    const nodes = [
      { n: 0, cpus: [0, 1, 2, 3] },
      { n: 1, cpus: [4, 5, 6, 7] },
    ];
    expect(nodesOfCpus(nodes, [5, 6])).toEqual([1]);
    expect(nodesOfCpus(nodes, [3, 4])).toEqual([0, 1]);
    expect(nodesOfCpus(nodes, [9])).toBeUndefined();
  });
});

describe('read back', () => {
  it("a drive's cache mode from QEMU's query-block flags", () => {
    expect(blockCacheMode({ writeback: true, direct: true, 'no-flush': false })).toBe('none');
    expect(blockCacheMode({ writeback: true, direct: false })).toBe('writeback');
    expect(blockCacheMode({ writeback: false, direct: true })).toBe('directsync');
    expect(blockCacheMode({ writeback: true, direct: false, 'no-flush': true })).toBe('unsafe');
    expect(blockCacheMode({})).toBeUndefined();
  });
});
