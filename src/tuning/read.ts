import type { Host } from '../hosts/host.ts';
import { profileFromTree, type HostProfile } from './profile.ts';
import { readProfileTree } from './read-script.ts';

/** The stabilisation profile of `host`, local or remote, read where it is (one command). */
export async function readProfile(host: Host, root = ''): Promise<HostProfile> {
  return profileFromTree(await readProfileTree(host, root));
}
