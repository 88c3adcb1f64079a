/**
 * The push sender's last line against a subscription that points the host at its own network: a
 * push service's name is looked up at each push, and one resolving to a private address is not
 * pushed to, unless push.allowLocalEndpoints let the endpoint in as a local one.
 */
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNonPublicAddress } from '../host/outbound/address-ranges.js';
import { push, type PushOptions } from '../host/push/push-sender.js';
import { PushService } from './support/push-service.js';

// This machine's name resolves to an address of its own (loopback, or a container's private one)
// wherever /etc/hosts names it; elsewhere there is no private name to push to, and nothing to test.
const machine = hostname();
const machineIsPrivate = await lookup(machine, { all: true }).then(
  (all) => all.length > 0 && all.every((a) => isNonPublicAddress(a.address)),
  () => false,
);

const service = new PushService();
beforeAll(() => service.start());
afterAll(() => service.stop());

function options(local: boolean): PushOptions {
  return {
    vapid: { ...webpush.generateVAPIDKeys(), subject: 'mailto:ops@example.com' },
    ttlSeconds: 60,
    urgency: 'normal',
    timeoutMs: 5000,
    local,
  };
}

function row(endpoint: string, keys: { p256dh: string; auth: string }) {
  return { id: 'sub', user_id: 'user', endpoint, ...keys, created_at: 0 };
}

describe.runIf(machineIsPrivate)('the push sender', () => {
  it('does not push to a name that resolves to a private address, unless the endpoint is a local one', async () => {
    const browser = service.newBrowser();
    const byName = browser.endpoint.replace('127.0.0.1', machine);
    const refused = await push(row(byName, browser.keys), '{}', options(false));
    expect(refused).toEqual({ outcome: 'failed', detail: expect.stringContaining('resolves to the private address') });
    expect(service.received.length + service.refused.length).toBe(0);

    // Admitted as local, a name that resolves to the loopback is pushed to: the push arrives (and
    // is turned down, as the service's VAPID audience is its IP, not the name).
    const local = await push(
      row(browser.endpoint.replace('127.0.0.1', 'localhost'), browser.keys),
      '{}',
      options(true),
    );
    expect(local).toEqual({ outcome: 'rejected', detail: expect.stringContaining('HTTP 400') });
    expect(service.refused).toEqual([{ subscription: expect.any(String), why: expect.stringContaining('aud') }]);
  });
});
