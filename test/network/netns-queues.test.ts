import { describe, expect, it } from 'vitest';
import type { GuestImage } from '../../src/guest/image.ts';
import type { Host } from '../../src/hosts/host.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { createNetnsWithTap, tapAddArgs } from '../../src/network/netns.ts';
import { USER_MODE_QUEUES } from '../../src/network/netns-plan.ts';
import { openNetwork } from '../../src/network/netns-plumbing.ts';
import { createNetworkProvider } from '../../src/network/netns-provider.ts';

const image = {} as GuestImage;
const remote = { kind: 'remote', name: 'far' } as Host;

describe('the tap of a multi-queue NIC', () => {
  it('is made with IFF_MULTI_QUEUE only when the NIC has more than one queue pair (the kernel refuses a mismatched open)', () => {
    expect(tapAddArgs('hvb-1-2-ab12', true)).toEqual(['-n', 'hvb-1-2-ab12', 'tuntap', 'add', 'dev', 'hvb-tap0', 'mode', 'tap', 'multi_queue']);
    expect(tapAddArgs('hvb-1-2-ab12', false)).toEqual(['-n', 'hvb-1-2-ab12', 'tuntap', 'add', 'dev', 'hvb-tap0', 'mode', 'tap']);
  });

  it("is what createNetnsWithTap makes, on this machine and (by ip's path) on another", async () => {
    const made = async (kind: 'local' | 'remote', multiQueue?: boolean) => {
      const commands: string[][] = [];
      const exec = async (argv: string[]) => {
        commands.push(argv);
        return { exitCode: 0, stdout: '', stderr: '' };
      };
      const host = { kind, name: 'h', exec } as unknown as Host;
      await createNetnsWithTap(host, 'hvb-1-2-ab12', multiQueue === undefined ? undefined : { multiQueue });
      return commands.find((c) => c.includes('tuntap'))!;
    };
    expect(await made('local', true)).toEqual(['ip', ...tapAddArgs('hvb-1-2-ab12', true)]);
    expect(await made('local')).toEqual(['ip', ...tapAddArgs('hvb-1-2-ab12', false)]);
    expect((await made('remote', true)).slice(-1)).toEqual(['multi_queue']);
  });

  it('cannot be had under user-mode networking: the provider says so at planning, for this machine only', () => {
    const user = createNetworkProvider({ image, mode: 'user' });
    expect(user.refuses({ host: new LocalHost(), queues: 2 })).toBe(USER_MODE_QUEUES);
    expect(USER_MODE_QUEUES).toMatch(/multi-queue tap.*user-mode networking \(slirp, a single queue; a tap needs root\)/);
    expect(user.refuses({ host: new LocalHost(), queues: 1 })).toBeUndefined();
    expect(user.refuses({ host: new LocalHost() })).toBeUndefined();
    // Another host always gets a tap in a namespace there.
    expect(user.refuses({ host: remote, queues: 2 })).toBeUndefined();
    expect(createNetworkProvider({ image, mode: 'tap' }).refuses({ host: new LocalHost(), queues: 4 })).toBeUndefined();
  });

  it('a user-mode network asked for several queues is refused before anything is made', async () => {
    await expect(openNetwork({ image, mode: 'user', queues: 2, stateDir: '/nonexistent-hvb-state' })).rejects.toThrow(
      `${USER_MODE_QUEUES}: 2 queue pairs asked`,
    );
  });
});
