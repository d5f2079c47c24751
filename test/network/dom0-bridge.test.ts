import { describe, expect, it } from 'vitest';
import { bridgeAges, bridgeName, freeBlock, parseIpv4Addresses, parseLinkNames } from '../../src/network/dom0-bridge.ts';

// `ip -o -4 addr show` and `ip -o link show` as busybox 1.35 prints them in the Xen lab's
// dom0, with a bridge of hvbench's and a guest's vif on it (iproute2 prints the same fields).
const ADDR = [
  '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
  '2: eth0    inet 10.0.2.15/24 scope global eth0\\       valid_lft forever preferred_lft forever',
  '3: hvbbr-0a1b2c    inet 10.214.69.249/30 scope global hvbbr-0a1b2c\\       valid_lft forever preferred_lft forever',
].join('\n');
const LINKS = [
  '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
  '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel qlen 1000\\    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff',
  '3: hvbbr-0a1b2c: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue qlen 1000\\    link/ether 0e:11:22:33:44:55 brd ff:ff:ff:ff:ff:ff',
  '4: vif1.0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq master hvbbr-0a1b2c qlen 32\\    link/ether fe:ff:ff:ff:ff:ff brd ff:ff:ff:ff:ff:ff',
  '5: veth0@if6: <BROADCAST,MULTICAST> mtu 1500 qdisc noop qlen 1000\\    link/ether 1a:2b:3c:4d:5e:6f brd ff:ff:ff:ff:ff:ff',
].join('\n');

describe('dom0 bridges', () => {
  it('reads the addresses and links of a dom0', () => {
    expect(parseIpv4Addresses(ADDR)).toEqual(
      new Map([
        ['lo', ['127.0.0.1']],
        ['eth0', ['10.0.2.15']],
        ['hvbbr-0a1b2c', ['10.214.69.249']],
      ]),
    );
    expect(parseLinkNames(LINKS)).toEqual(['lo', 'eth0', 'hvbbr-0a1b2c', 'vif1.0', 'veth0']);
  });

  it('picks a /30 that no address of the dom0 is in, peer .1 and guest .2 of it', () => {
    expect(freeBlock(new Set(), () => 0)).toEqual({ peer: '10.214.0.1', guest: '10.214.0.2' });
    expect(freeBlock(new Set(), () => 64 * 69 + 62)).toEqual({ peer: '10.214.69.249', guest: '10.214.69.250' });
    // Taken (by another run's bridge): the next block.
    expect(freeBlock(new Set(['10.214.69.249']), () => 64 * 69 + 62)).toEqual({ peer: '10.214.69.253', guest: '10.214.69.254' });
    // The last block wraps to the first.
    expect(freeBlock(new Set(['10.214.255.253']), () => 256 * 64 - 1)).toEqual({ peer: '10.214.0.1', guest: '10.214.0.2' });
  });

  it('names bridges hvbbr- and 6 hex digits (15 characters at most, as Linux allows)', () => {
    expect(bridgeName('0a1b2c')).toBe('hvbbr-0a1b2c');
    expect(bridgeName()).toMatch(/^hvbbr-[0-9a-f]{6}$/);
    expect(() => bridgeName('x; rm')).toThrow(/not an hvbench bridge name/);
  });

  it('reads the age of each bridge from its mark; unmarked or foreign aliases have none', () => {
    const text = [
      '1764268800',
      'hvbbr-0a1b2c hvbench-1764268200',
      'hvbbr-dead00 ',
      'hvbbr-beef00 someone else',
      'eth0 hvbench-1',
      'hvbbr-cafe00 hvbench-1764268830',
      '',
    ].join('\n');
    expect(bridgeAges(text)).toEqual(
      new Map([
        ['hvbbr-0a1b2c', 600],
        ['hvbbr-dead00', undefined],
        ['hvbbr-beef00', undefined],
        ['hvbbr-cafe00', -30],
      ]),
    );
    // Without the dom0's clock no age is known: every silent bridge counts as a killed run's.
    expect(bridgeAges('date: bad\nhvbbr-0a1b2c hvbench-1764268200')).toEqual(new Map([['hvbbr-0a1b2c', undefined]]));
  });
});
