import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INTERNAL_IPV4_RANGES,
  INTERNAL_IPV6_RANGES,
  ipFamilyOf,
  isInternalAddress,
  isLoopbackAddress,
} from '../../functions/adapters/internal-addresses.js';

describe('ipFamilyOf', () => {
  it("answers as node's isIP for addresses, names and any text", () => {
    const text = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4Extended(),
      fc.domain(),
      fc.string(),
      fc.constantFrom('::', '::1', '::ffff:10.0.0.1', '64:ff9b::10.0.0.1', 'fe80::1%eth0', '[::1]', '1.2.3', ''),
    );
    fc.assert(
      fc.property(text, (t) => ipFamilyOf(t) === isIP(t)),
      { numRuns: 2000 },
    );
  });
});

describe('isInternalAddress', () => {
  it.each([...INTERNAL_IPV4_RANGES, ...INTERNAL_IPV6_RANGES])('counts %s/%i (%s) as internal', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each([
    ['10.255.255.255', 'the last private 10/8 address'],
    ['172.31.255.255', 'the last private 172.16/12 address'],
    ['169.254.170.2', 'the ECS task metadata endpoint'],
    ['::ffff:10.0.0.1', 'a private address, IPv4-mapped'],
    ['::ffff:a9fe:a9fe', 'the metadata endpoint, IPv4-mapped in hex'],
    ['64:ff9b::10.0.0.1', 'a private address through NAT64'],
    ['fd12:3456::1', 'a unique-local address'],
    ['not-an-address', 'anything that is not an IP address'],
  ])('counts %s (%s) as internal', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each([
    ['8.8.8.8', 'a public IPv4 address'],
    ['172.32.0.1', 'just past 172.16/12'],
    ['100.128.0.1', 'just past 100.64/10'],
    ['::ffff:8.8.8.8', 'a public address, IPv4-mapped'],
    ['64:ff9b::8.8.8.8', 'a public address through NAT64 (an IPv6-only network reaching an IPv4 server)'],
    ['2606:4700:4700::1111', 'a public IPv6 address'],
  ])('lets %s (%s) through', (address) => {
    expect(isInternalAddress(address)).toBe(false);
  });
});

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])('counts %s as this machine', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each(['10.0.0.1', '169.254.169.254', '64:ff9b::7f00:1', '::', 'localhost'])('does not count %s', (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });
});
