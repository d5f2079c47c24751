import type { Host } from '../../hosts/host.ts';
import type { Capability, ProbeOptions } from '../common/backend.ts';
import { defaultCacheDir } from '../../guest/cache.ts';
import type { GuestImage } from '../../guest/image.ts';
import { loadImage } from '../../guest/load.ts';
import { describeError } from '../../util/errors.ts';
import { LIBVIRT_CANARY_TIMEOUT_MS, libvirtKvmCanary } from './canary.ts';
import { type LibvirtCanaryFingerprint, readLibvirtCanary, writeLibvirtCanary } from './canary-cache.ts';
import { type Virsh, VIRSH, VIRSH_INSTALL_HINT, virshOn, virshSaid } from './virsh.ts';

const PROBE_TIMEOUT_MS = 15_000;

/** What `virsh version` says: libvirt's library and daemon versions, and the hypervisor's. */
export interface LibvirtVersions {
  library?: string;
  daemon?: string;
  /** e.g. `QEMU 7.2.22`. */
  hypervisor?: string;
}

export function parseVirshVersion(text: string): LibvirtVersions {
  const found: LibvirtVersions = {};
  const library = /^Using library: libvirt (\S+)/m.exec(text)?.[1];
  const daemon = /^Running against daemon: (\S+)/m.exec(text)?.[1];
  const hypervisor = /^Running hypervisor: (.+)$/m.exec(text)?.[1]?.trim();
  if (library) found.library = library;
  if (daemon) found.daemon = daemon;
  if (hypervisor) found.hypervisor = hypervisor;
  return found;
}

/** The domain types `virsh capabilities` offers for x86_64 guests, e.g. `qemu`, `kvm`, `xen`. */
export function domainTypesOffered(capabilitiesXml: string): string[] {
  const types = new Set<string>();
  for (const guest of capabilitiesXml.split('<guest>').slice(1)) {
    if (!/<arch name=['"]x86_64['"]/.test(guest)) continue;
    for (const m of guest.matchAll(/<domain type=['"]([a-z]+)['"]/g)) types.add(m[1]!);
  }
  return [...types];
}

/**
 * Whether libvirt can run this backend's domains on a host, from evidence, with a reason a
 * person can act on at each step: virsh is there (`virsh --version`), the daemon answers at
 * the connection (`virsh -c <uri> version`: no daemon, a wrong URI, no permission), and it
 * offers the domain type for x86_64 guests (`virsh capabilities`; `kvm` only where QEMU can
 * open /dev/kvm), and for `kvm` that a canary domain boots Linux (canary.ts). Facts: libvirt's version, the URI, the domain type and the hypervisor's
 * version (`qemu`, a dimension of every sample as for the direct QEMU backends).
 */
export async function probeLibvirt(host: Host, backend: string, uri: string, domainType: string, options: ProbeOptions = {}): Promise<Capability> {
  const facts: Record<string, string> = { libvirtUri: uri, libvirtDomainType: domainType };
  const no = (reason: string, hint?: string): Capability => ({ backend, available: false, reason, facts, ...(hint ? { hint } : {}) });

  const client = await host.exec([VIRSH, '--version'], { timeoutMs: PROBE_TIMEOUT_MS });
  if (client.exitCode === 127) return no(`virsh not found on ${host.name}`, VIRSH_INSTALL_HINT);
  if (client.exitCode !== 0) return no(`virsh --version failed on ${host.name}: ${virshSaid(client)}`, VIRSH_INSTALL_HINT);
  facts['libvirtClient'] = client.stdout.trim();

  const virsh = virshOn(host, uri);
  const version = await virsh.run('version', [], { timeoutMs: PROBE_TIMEOUT_MS });
  if (version.exitCode !== 0) {
    return no(
      `libvirt does not answer at ${uri} on ${host.name}: ${virshSaid(version)}`,
      'start libvirtd (with systemd: systemctl start libvirtd; without: libvirtd --daemon), or set the connection in the hosts file ("libvirt": { "uri": … })',
    );
  }
  const versions = parseVirshVersion(version.stdout);
  facts['libvirt'] = versions.daemon ?? versions.library ?? facts['libvirtClient'];
  if (versions.hypervisor) facts['libvirtHypervisor'] = versions.hypervisor;
  const qemu = /^QEMU (\S+)/.exec(versions.hypervisor ?? '')?.[1];
  if (qemu) facts['qemu'] = qemu;

  const caps = await virsh.run('capabilities', [], { timeoutMs: PROBE_TIMEOUT_MS });
  if (caps.exitCode !== 0) return no(`virsh capabilities failed at ${uri} on ${host.name}: ${virshSaid(caps)}`);
  const offered = domainTypesOffered(caps.stdout);
  if (!offered.includes(domainType)) {
    return no(
      `libvirt ${facts['libvirt']} at ${uri} offers no '${domainType}' domains for x86_64 guests (it offers: ${offered.join(', ') || 'none'})`,
      domainType === 'kvm'
        ? 'KVM domains need /dev/kvm on the libvirt host'
        : 'install the QEMU driver: apt-get install libvirt-daemon-driver-qemu qemu-system-x86',
    );
  }
  let canaryNote = '';
  if (domainType === 'kvm') {
    const canary = await kvmCanary(host, virsh, uri, facts, options);
    if (canary.broken !== undefined) return no(`${canary.broken}${canary.note}`, `hvbench doctor --backend kvm says more about this KVM; ${RECHECK}`);
    canaryNote = `, a canary domain booted${canary.note}`;
  }
  return {
    backend,
    available: true,
    reason: `libvirt ${facts['libvirt']} at ${uri}, '${domainType}' domains${versions.hypervisor ? ` on ${versions.hypervisor}` : ''}${canaryNote}`,
    facts,
  };
}

const RECHECK = '`hvbench doctor --recheck` boots the canary again';

/**
 * Whether `kvm` domains boot Linux here: the cached verdict for this host, connection and
 * image (canary-cache.ts), else a canary domain's (canary.ts), kept when it describes the
 * host. `note` says when a cached verdict was reached.
 */
async function kvmCanary(
  host: Host,
  virsh: Virsh,
  uri: string,
  facts: Record<string, string>,
  options: ProbeOptions,
): Promise<{ broken?: string; note: string }> {
  let image: GuestImage;
  try {
    image = options.image ?? (await loadImage());
  } catch (e) {
    return { broken: `no canary guest could boot: ${describeError(e)} (run \`hvbench image build\`)`, note: '' };
  }
  const kernel = await host.exec(['uname', '-r'], { timeoutMs: PROBE_TIMEOUT_MS });
  const fingerprint: LibvirtCanaryFingerprint = {
    host: host.name,
    hostKernel: kernel.stdout.trim(),
    uri,
    libvirt: facts['libvirt'] ?? '',
    hypervisor: facts['libvirtHypervisor'] ?? '',
    image: image.hash,
  };
  const cacheDir = defaultCacheDir();
  const cached = options.recheck ? undefined : await readLibvirtCanary(cacheDir, fingerprint);
  if (cached !== undefined) {
    facts['canaryCheckedAt'] = cached.checkedAt;
    return { ...(cached.broken === undefined ? {} : { broken: cached.broken }), note: ` [canary of ${cached.checkedAt}, cached]` };
  }
  options.log?.(`booting a canary domain at ${uri} on ${host.name} (at most ${LIBVIRT_CANARY_TIMEOUT_MS / 1000} s)`);
  const verdict = await libvirtKvmCanary(virsh, image);
  if (verdict.kind === 'unsettled') return { broken: verdict.reason, note: '' };
  const entry = { fingerprint, ...(verdict.kind === 'ok' ? {} : { broken: verdict.reason }), checkedAt: new Date().toISOString() };
  await writeLibvirtCanary(cacheDir, entry).catch(() => {});
  facts['canaryCheckedAt'] = entry.checkedAt;
  return { ...(entry.broken === undefined ? {} : { broken: entry.broken }), note: '' };
}
