import { lstatSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '../../util/errors.ts';
import { notMine } from '../../util/not-mine.ts';
import { LocalHost } from '../../hosts/local.ts';
import type { Host } from '../../hosts/host.ts';
import { ownerAlive } from '../../network/netns-owner.ts';
import type { BackendLeftover, LeftoverFinder } from '../common/backend.ts';
import { parseOwnerMark } from '../common/owner.ts';
import { DOMAIN_PREFIX, OWNER_NAMESPACE } from './domain-xml.ts';
import { qemuUri } from './uri.ts';
import { virshOn, type Virsh } from './virsh.ts';

/** A VM folder must be this old before it counts as left behind without a domain naming it. */
const DIR_MIN_AGE_MS = 60_000;
/** What launch.ts puts in a VM folder. */
const VM_DIR_FILES = new Set(['console.log', 'domain.xml']);

/** A look at libvirt for leftovers must not hold up doctor or clean when the daemon hangs. */
const LIST_TIMEOUT_MS = 10_000;

/** The owner mark in a domain's XML (`<hvbench:owner mark="<pid>-<start>" …>` in `<metadata>`), or undefined. */
export function ownerInDomainXml(xml: string): string | undefined {
  const metadata = /<metadata>([\s\S]*?)<\/metadata>/.exec(xml)?.[1] ?? '';
  const element = /<([A-Za-z0-9_]+:)?owner\b([^>]*)>|<([A-Za-z0-9_]+:)?owner\b([^>]*)\/>/.exec(metadata);
  const attrs = element?.[2] ?? element?.[4] ?? '';
  if (!attrs.includes(OWNER_NAMESPACE)) return undefined;
  return /\bmark=['"](\d+-\d+)['"]/.exec(attrs)?.[1];
}

/** A domain whose hvbench is gone, as a leftover: destroyed and undefined if, looked at again, it is still orphaned. */
function orphanDomain(virsh: Virsh, name: string, mark: string): BackendLeftover {
  const owner = parseOwnerMark(mark)!;
  return {
    kind: 'libvirt-domain',
    what: `libvirt domain ${name} at ${virsh.uri} (its hvbench, process ${owner.pid}, is gone)`,
    facts: { domain: name, uri: virsh.uri, ownerPid: owner.pid },
    async remove() {
      const xml = await virsh.run('dumpxml', [name]);
      if (xml.exitCode !== 0 || ownerInDomainXml(xml.stdout) !== mark || ownerAlive(owner)) return {};
      await virsh.run('destroy', [name]);
      const undefine = await virsh.run('undefine', [name]);
      if (undefine.exitCode !== 0) return { problem: `libvirt domain ${name}: ${undefine.stderr.trim()}` };
      return { removed: `libvirt domain ${name} at ${virsh.uri}` };
    },
  };
}

/**
 * What a killed hvbench leaves in libvirt on this machine: domains named `hvbench-…` whose
 * metadata carries hvbench's owner mark of a process that is gone. A domain with the prefix
 * and no mark is skipped with the reason; one of a live hvbench is left alone. No virsh, or
 * no daemon answering at the connection, means nothing to find (doctor's probe says why).
 * VM folders (`<tmp>/hvbench-lv-…` holding only the console file and the domain XML) go
 * too: an orphan domain's after it, and any other no domain names that has not changed for a
 * minute.
 */
export function libvirtLeftovers(host: Host = new LocalHost(), uri?: string): LeftoverFinder {
  return {
    async find({ tmpDir, now = Date.now() }) {
      const virsh = virshOn(host, uri ?? qemuUri(host));
      const found: BackendLeftover[] = [];
      const skipped: { what: string; why: string }[] = [];
      /** Console files the defined domains write to, and whether their domain is an orphan. */
      const consoles = new Map<string, boolean>();
      const list = await virsh.run('list', ['--all', '--name'], { timeoutMs: LIST_TIMEOUT_MS }).catch(() => undefined);
      if (list === undefined || list.exitCode !== 0) return { found, skipped };
      const names = list.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((n) => n.startsWith(DOMAIN_PREFIX));
      for (const name of names) {
        const xml = await virsh.run('dumpxml', [name], { timeoutMs: LIST_TIMEOUT_MS }).catch(() => undefined);
        if (xml === undefined || xml.exitCode !== 0) continue;
        const mark = ownerInDomainXml(xml.stdout);
        const owner = parseOwnerMark(mark);
        const console = /<serial type=['"]file['"]>\s*<source path=['"]([^'"]+)['"]/.exec(xml.stdout)?.[1];
        if (mark === undefined || owner === undefined) {
          skipped.push({ what: `libvirt domain ${name} at ${virsh.uri}`, why: 'its metadata carries no hvbench owner mark: hvbench did not define it' });
          continue;
        }
        const orphan = !ownerAlive(owner);
        if (console !== undefined) consoles.set(path.dirname(console), orphan);
        if (orphan) found.push(orphanDomain(virsh, name, mark));
      }
      // Folders after the domains: QEMU has stopped writing to a console file before its folder goes.
      if (host.kind === 'local') found.push(...vmFolders(tmpDir, consoles, now, skipped));
      return { found, skipped };
    },
  };
}

/** VM folders of `tmp` left behind: those of orphan domains, and those no domain names that are a minute old. */
function vmFolders(tmp: string, consoles: ReadonlyMap<string, boolean>, now: number, skipped: { what: string; why: string }[]): BackendLeftover[] {
  let names: string[];
  try {
    names = readdirSync(tmp).filter((n) => n.startsWith('hvbench-lv-'));
  } catch {
    return [];
  }
  const found: BackendLeftover[] = [];
  for (const name of names) {
    const dir = path.join(tmp, name);
    const info = lstatSync(dir, { throwIfNoEntry: false });
    if (!info?.isDirectory()) continue;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    if (!entries.every((e) => VM_DIR_FILES.has(e))) continue;
    const foreign = notMine(info.uid);
    if (foreign) {
      skipped.push({ what: `VM folder ${dir}`, why: foreign });
      continue;
    }
    const named = consoles.get(dir);
    if (named === false || (named === undefined && now - info.mtimeMs < DIR_MIN_AGE_MS)) continue;
    found.push({
      kind: 'vm-folder',
      what: `VM folder ${dir}`,
      facts: { path: dir },
      remove: () =>
        rm(dir, { recursive: true, force: true }).then(
          () => ({ removed: `VM folder ${dir}` }),
          (e: unknown) => ({ problem: `${dir}: ${describeError(e)}` }),
        ),
    });
  }
  return found;
}
