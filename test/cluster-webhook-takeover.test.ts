/**
 * Several hosts as one, for business webhooks: three real host processes on one PostgreSQL
 * database and one Redis run business chat. A customer's message on one host makes a delivery
 * that this host stores and sends; the business's backend holds that request open without
 * answering, and the host is killed with SIGKILL mid-send. Once the delivery's lease
 * (settings.webhooks.timeoutMs + 5 s) has run out, another host's sweep sends it again: the same
 * x-switchboard-delivery id and the same body, which the backend then processes, once.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS_MANIFEST, FAST_WEBHOOKS, businessApi } from './support/business-helpers.js';
import { eventually } from './support/eventually.js';
import { startCluster, type Cluster, type ClusterHost } from './support/cluster-hosts.js';
import { WebhookReceiver, type ReceivedDelivery } from './support/webhook-receiver.js';

/** Long enough that the killed host could not have timed the send out itself before it died. */
const TIMEOUT_MS = 5_000;
const DELIVERY_LEASE_MS = TIMEOUT_MS + 5_000;

/** The pid of the process whose TCP socket has this local port (ss, as root or as its owner). */
function pidOfLocalPort(port: number): number | null {
  const out = execFileSync('ss', ['-tnpH', `sport = :${port}`], { encoding: 'utf8' });
  const match = /pid=(\d+)/.exec(out);
  return match ? Number(match[1]) : null;
}

// Hosts sharing a database need PostgreSQL (the bus refuses SQLite).
describe.skipIf(!process.env.DATABASE_URL)('a webhook delivery on three hosts', () => {
  let cluster: Cluster;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    const business = {
      path: BUSINESS_MANIFEST,
      settings: { webhooks: { ...FAST_WEBHOOKS, timeoutMs: TIMEOUT_MS } },
      // The manifest's "*" never reaches loopback, where the receiver listens.
      grants: { 'http.outbound': { hosts: ['127.0.0.1:*'] } },
    };
    // A short job lease: the webhook sweep is a scheduled job, which the killed host may hold.
    cluster = await startCluster({ config: { plugins: { jobLeaseMs: 2_000, enabled: [business] } } });
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await receiver?.stop();
  });

  it('is sent again by another host, as it was, once the lease of the host killed mid-send has run out', async () => {
    const [sender, other] = cluster.hosts as [ClusterHost, ClusterHost];
    const owner = await other.createUser();
    const businessId = await businessApi(other).createBusiness(owner);
    const hook = await businessApi(other).call(owner, 'PUT', `/businesses/${businessId}/webhook`, {
      url: receiver.url,
    });
    expect(hook.status, JSON.stringify(hook.body)).toBe(200);
    const customer = await sender.createUser();
    const thread = await businessApi(sender).startThread(customer, businessId);
    const ofThread = (d: ReceivedDelivery) =>
      d.body.events.some((e) => e.type === 'message' && e.threadId === thread.threadId);
    let held: ReceivedDelivery | undefined;
    receiver.hold = (d) => {
      if (held || !ofThread(d)) return false;
      held = d;
      return true;
    };

    await businessApi(sender).customerSays(customer, thread.conversationId, 'is my order on its way?');
    const first = await eventually(() => held, { what: 'the delivery of the message' });
    // The host that committed the message sends its delivery: that is the host to kill.
    expect(pidOfLocalPort(first.remotePort)).toBe(sender.child.pid);
    await sender.child.kill('SIGKILL');

    const again = await eventually(
      () => receiver.received.find((d) => d !== first && d.deliveryId === first.deliveryId),
      {
        what: 'the delivery sent again',
        timeoutMs: DELIVERY_LEASE_MS + 20_000,
      },
    );
    expect(again.rawBody).toBe(first.rawBody);
    expect(again.body.deliveryId).toBe(first.deliveryId);
    expect(receiver.processed.get(first.deliveryId)).toBe(again);

    const deliveries = await eventually(
      async () => {
        const res = await businessApi(other).call(
          owner,
          'GET',
          `/businesses/${businessId}/webhook/deliveries?status=delivered`,
        );
        return res.body.deliveries.find((d: { deliveryId: string }) => d.deliveryId === first.deliveryId);
      },
      { what: 'the delivery recorded as delivered' },
    );
    // One attempt recorded: the dead host never settled its send, the other host's send took its place.
    expect(deliveries).toMatchObject({ status: 'delivered', attempts: 1, lastError: null });
    // Not before the lease taken when the delivery was stored had run out (one clock: one machine).
    expect(again.at).toBeGreaterThanOrEqual(Date.parse(deliveries.createdAt) + DELIVERY_LEASE_MS);
    expect(receiver.received.filter((d) => d.deliveryId === first.deliveryId)).toHaveLength(2);
  }, 120_000);
});
