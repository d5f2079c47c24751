import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Host } from '../../src/hosts/host.ts';
import { LocalHost } from '../../src/hosts/local.ts';

/**
 * A host whose /sys and /proc are a copy of a fixture tree: the read script gets the copy as
 * its root, and a settings write (`sh -c … hvbench-tuning <path> <value>`) the path inside
 * the copy. Every other command runs here unchanged.
 */
export function treeHost(fixture: string, name = fixture): { host: Host; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'hvb-tree-'));
  cpSync(fileURLToPath(new URL(`../fixtures/tuning/${fixture}`, import.meta.url)), root, { recursive: true });
  const local = new LocalHost();
  const exec: Host['exec'] = (argv, o) => {
    if (argv[3] === 'hvbench-tuning' && argv.length === 5) return local.exec([...argv.slice(0, 4), root], o);
    if (argv[3] === 'hvbench-tuning' && argv.length === 6) return local.exec([...argv.slice(0, 4), root + argv[4]!, argv[5]!], o);
    return local.exec(argv, o);
  };
  return { host: Object.assign(Object.create(local) as Host, { name, exec }), root };
}
