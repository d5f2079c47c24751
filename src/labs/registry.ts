import type { HostConfig } from '../hosts/host.ts';
import { LAB_NAMES } from './recipe.ts';
import { defaultLabStateRoot, labHostConfig, labProcessAlive, readLabState } from './state.ts';

/**
 * A HostConfig for each lab that is up (its QEMU runs and SSH answered once): `lab-kvm`
 * offering kvm and tcg, `lab-xen` offering xen. Reads the state files only; nothing is started.
 */
export async function runningLabHosts(stateRoot = defaultLabStateRoot()): Promise<HostConfig[]> {
  const hosts: HostConfig[] = [];
  for (const lab of LAB_NAMES) {
    const state = await readLabState(stateRoot, lab);
    if (state?.readyAt && labProcessAlive(state)) hosts.push(labHostConfig(state));
  }
  return hosts;
}
