/**
 * Outbound HTTP: which addresses count as private (and so are never reached through a "*" host
 * pattern), IPv4 addresses embedded in IPv6 ones (mapped, NAT64, 6to4, Teredo) included.
 */
import { describe, expect, it } from 'vitest';
import { isNonPublicAddress } from '../host/outbound/address-ranges.js';

describe('outbound HTTP', () => {
  it('knows private addresses, IPv4 addresses embedded in IPv6 ones included', () => {
    const refused = [
      // IPv4: loopback, private, link-local, carrier-grade NAT, unspecified, broadcast, multicast, reserved and documentation.
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '240.0.0.1',
      '192.0.2.1',
      '198.18.0.1',
      '192.88.99.1',
      // IPv6: loopback, unspecified, unique-local, link-local, site-local, multicast, documentation, discard, unassigned.
      '::1',
      '[::1]',
      '::',
      'fd00::1',
      'fc00::1',
      'fe80::1',
      'fec0::1',
      'ff02::1',
      '2001:db8::1',
      '100::1',
      '4000::1',
      // IPv4-mapped, -translated and -compatible forms of private addresses.
      '::ffff:10.0.0.1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '[::ffff:a9fe:a9fe]',
      '::ffff:0:7f00:1',
      '::127.0.0.1',
      '::7f00:1',
      '::a00:1',
      // NAT64, well-known prefix, of private addresses; the local-use prefix whatever it embeds.
      '64:ff9b::a00:1',
      '64:ff9b::127.0.0.1',
      '64:ff9b::a9fe:a9fe',
      '64:ff9b::',
      '64:ff9b:1::808:808',
      '64:ff9b:1:7f00:1::',
      // 6to4 of private addresses.
      '2002:7f00:1::',
      '2002:a00:1::1',
      '2002:a9fe:a9fe::',
      '2002:c0a8:101:1::1',
      '2002::',
      // Teredo, whatever client it names.
      '2001:0:4136:e378:8000:63bf:3fff:fdd2',
      '2001::1',
      '2001:0:808:808::',
    ];
    const allowed = [
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      '2001:4860:4860::8888',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
      '::ffff:808:808',
      // NAT64 and 6to4 of public addresses (an IPv6-only network reaches the IPv4 internet through them).
      '64:ff9b::808:808',
      '64:ff9b::8.8.8.8',
      '2002:808:808::1',
      'example.com',
      'localhost',
    ];
    for (const a of refused) expect(isNonPublicAddress(a), a).toBe(true);
    for (const a of allowed) expect(isNonPublicAddress(a), a).toBe(false);
  });
});
