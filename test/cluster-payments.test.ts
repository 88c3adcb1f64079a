/**
 * Payments on three hosts give what one host gives: concurrent transfers sent through all three
 * hosts at once (each user's spread over them, some keys retried on every host at the same
 * moment), a hold authorized on one host and captured on another, and an invoice created through
 * one host and paid through another. Every idempotency key moves money once, no transfer is lost
 * or doubled, each user's balance is their top-up plus what their successful transfers moved,
 * and the ledger verifies and sums to zero as every host reports it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from './support/start-test-host.js';
import { PAYMENTS_MANIFEST, paymentsApi, type PaymentsApi } from './support/payments-helpers.js';
import { HOLD_SETTINGS, holdsCalls } from './support/holds-helpers.js';
import { botBalance, callbacksOf, merchant, requestsApi } from './support/requests-helpers.js';
import { roomWith } from './support/plugin-helpers.js';
import { startCluster, type Cluster, type ClusterHost } from './support/cluster-hosts.js';

const USERS = 6;
const FUNDS = 20_000;
const PER_USER = 10;

interface Planned {
  key: string;
  from: number;
  to: number;
  amountMinor: number;
  /** The hosts it is sent through: several at once for a retried key. */
  via: number[];
}

// Hosts sharing a database need PostgreSQL (the bus refuses SQLite).
describe.skipIf(!process.env.DATABASE_URL)('payments across three hosts', () => {
  let cluster: Cluster;
  let hosts: ClusterHost[];
  let apis: PaymentsApi[];
  let users: TestUser[];
  const api = (n: number) => apis[n % apis.length]!;

  beforeAll(async () => {
    cluster = await startCluster({
      config: {
        plugins: {
          enabled: [
            {
              path: PAYMENTS_MANIFEST,
              settings: { limits: { perTransferMinor: 50_000, dailyMinor: 10_000_000 }, ...HOLD_SETTINGS },
              grants: { 'services.call': { services: callbacksOf(['merchant']) } },
            },
            merchant('merchant'),
          ],
        },
      },
    });
    hosts = cluster.hosts;
    apis = hosts.map((h) => paymentsApi(h));
    users = await Promise.all(Array.from({ length: USERS }, (_, i) => hosts[i % 3]!.createUser()));
    await Promise.all(users.map((u, i) => api(i).setPin(u)));
    for (const [i, u] of users.entries()) expect((await api(i + 1).topUp(u, FUNDS)).status).toBe(201);
  }, 180_000);

  // Every host sees one whole ledger.
  afterEach(async () => {
    for (const a of apis) await a.expectLedgerWhole();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it(
    'concurrent transfers through all three hosts, with retries on other hosts, move each key’s money once',
    { timeout: 120_000 },
    async () => {
      const before = await Promise.all(users.map((u, i) => api(i).balance(u)));
      const plan: Planned[] = users.flatMap((_, from) =>
        Array.from({ length: PER_USER }, (_, k) => ({
          key: randomUUID(),
          from,
          to: (from + 1 + (k % (USERS - 1))) % USERS,
          amountMinor: 100 + from * 10 + k,
          // Every third key is sent through the three hosts at the same moment.
          via: k % 3 === 0 ? [0, 1, 2] : [(from + k) % 3],
        })),
      );
      const answers = await Promise.all(
        plan.map((p) =>
          Promise.all(
            p.via.map((n) => api(n).transfer(users[p.from]!, users[p.to]!, p.amountMinor, { idempotencyKey: p.key })),
          ),
        ),
      );

      const transferIds = new Set<string>();
      for (const [i, p] of plan.entries()) {
        const got = answers[i]!;
        const detail = JSON.stringify(got.map((r) => [r.status, r.body]));
        // One request made the transfer; the retries (on other hosts) answered the same one.
        expect(
          got.filter((r) => r.status === 201),
          detail,
        ).toHaveLength(1);
        expect(
          got.filter((r) => r.status === 200),
          detail,
        ).toHaveLength(p.via.length - 1);
        expect(new Set(got.map((r) => r.body.transferId)).size, detail).toBe(1);
        expect(got[0]!.body).toMatchObject({ amountMinor: p.amountMinor, status: 'completed' });
        transferIds.add(got[0]!.body.transferId as string);
      }
      expect(transferIds.size).toBe(plan.length);

      // Each user's balance and transfer list, as every host tells them.
      for (const [i, user] of users.entries()) {
        const sent = plan.filter((p) => p.from === i);
        const received = plan.filter((p) => p.to === i);
        const expected =
          before[i]! - sent.reduce((s, p) => s + p.amountMinor, 0) + received.reduce((s, p) => s + p.amountMinor, 0);
        for (const n of [0, 1, 2]) expect(await api(n).balance(user), `user ${i} on host ${n}`).toBe(expected);
        const listed = (await api(i + 2).call(user, 'GET', '/transfers')).body;
        const sum = (rows: { amountMinor: number; transferId: string }[]) =>
          rows.filter((r) => transferIds.has(r.transferId)).reduce((s, r) => s + r.amountMinor, 0);
        expect(sum(listed.sent)).toBe(sent.reduce((s, p) => s + p.amountMinor, 0));
        expect(sum(listed.received)).toBe(received.reduce((s, p) => s + p.amountMinor, 0));
        expect(listed.sent.filter((r: { transferId: string }) => transferIds.has(r.transferId))).toHaveLength(
          sent.length,
        );
      }
      const after = await Promise.all(users.map((u, i) => api(i).balance(u)));
      expect(after.reduce((s, b) => s + b, 0)).toBe(before.reduce((s, b) => s + b, 0));

      // A key reused for another request is refused on any host.
      const reused = await api(2).transfer(users[0]!, users[1]!, 1, { idempotencyKey: plan[0]!.key });
      expect(reused.status).toBe(409);
      expect(reused.body.error.code).toBe('idempotency_conflict');
    },
  );

  it(
    'a hold authorized on one host is captured on another, and captures retried on every host capture once',
    { timeout: 60_000 },
    async () => {
      const holds = holdsCalls(() => ({ host: hosts[0]!, api: api(0) }));
      const onHost = (n: number) => holdsCalls(() => ({ host: hosts[n]!, api: api(n) }));
      const [payer, payee] = [users[0]!, users[1]!];
      const before = [await api(0).balance(payer), await api(0).balance(payee)];
      const hold = await holds.openHold(payer, payee, 1_000);
      expect(await api(1).balance(payer)).toBe(before[0]! - 1_000);

      const key = randomUUID();
      const captures = await Promise.all(
        [1, 2, 0].map((n) => onHost(n).capture(payee, hold.holdId, 600, { idempotencyKey: key })),
      );
      expect(captures.map((c) => c.status).sort()).toEqual([200, 200, 201]);
      for (const c of captures) expect(c.body).toEqual(captures.find((x) => x.status === 201)!.body);
      // The rest is voided through the third host; the hold ends the same on every host.
      expect((await onHost(2).voidHold(payer, hold.holdId)).status).toBeLessThan(300);
      for (const n of [0, 1, 2])
        expect(await onHost(n).getHold(payer, hold.holdId)).toMatchObject({ status: 'voided', capturedMinor: 600 });
      expect(await api(2).balance(payer)).toBe(before[0]! - 600);
      expect(await api(0).balance(payee)).toBe(before[1]! + 600);

      // Two hosts race to capture the whole of one hold with different keys: one wins.
      const raced = await holds.openHold(payer, payee, 500);
      const race = await Promise.all([1, 2].map((n) => onHost(n).capture(payee, raced.holdId, 500)));
      expect(race.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(await api(0).balance(payer)).toBe(before[0]! - 1_100);
      expect(await api(1).balance(payee)).toBe(before[1]! + 1_100);
    },
  );

  it(
    'an invoice created through one host is paid through another, once, and its plugin hears it once',
    { timeout: 60_000 },
    async () => {
      const payer = users[2]!;
      const room = await roomWith(hosts[0]!, payer, ['payments', 'merchant']);
      const [rqA, rqB, rqC] = [0, 1, 2].map((n) => requestsApi(hosts[n]!, api(n)));
      const merchantBot = (await hosts[0]!.http('GET', '/v1/admin/plugins', { token: 'admin' })).body.plugins.find(
        (p: { id: string }) => p.id === 'merchant',
      ).botUserId as string;
      const [payerBefore, botBefore] = [await api(0).balance(payer), await botBalance(hosts[0]!, merchantBot)];
      const created = await rqA!.invoice('merchant', {
        payerId: payer.id,
        conversationId: room.id,
        currency: 'EUR',
        amountMinor: 700,
        description: 'Order: 2 × Widget',
        lines: [{ itemId: 'widget', name: 'Widget', qty: 2, unitMinor: 350, lineMinor: 700 }],
        idempotencyKey: randomUUID(),
      });
      expect(created, JSON.stringify(created)).toMatchObject({ ok: true, value: { status: 'open' } });
      const { requestId } = created.value;

      const key = randomUUID();
      const paid = await Promise.all([rqB!, rqC!].map((rq) => rq.pay(payer, requestId, { idempotencyKey: key })));
      // One confirmation charges; the same one on another host answers it, or that it is processing.
      const detail = JSON.stringify(paid.map((p) => [p.status, p.body]));
      expect(
        paid.filter((p) => p.status === 200 && p.body.status === 'paid'),
        detail,
      ).not.toHaveLength(0);
      for (const p of paid)
        expect(p.body, detail).toMatchObject({ requestId, status: p.status === 200 ? 'paid' : 'processing' });
      expect((await rqA!.get(payer, requestId)).status).toBe('paid');
      const other = await rqA!.pay(payer, requestId);
      expect(other.body.error).toMatchObject({ code: 'request_not_open', details: { status: 'paid' } });

      expect(await api(2).balance(payer)).toBe(payerBefore - 700);
      expect(await botBalance(hosts[1]!, merchantBot)).toBe(botBefore + 700);
      // The invoicing plugin was asked once and told once, though three hosts run it.
      expect(await rqC!.resultFor('merchant', requestId)).toEqual([
        { caller: { pluginId: 'payments' }, input: { requestId, status: 'paid' } },
      ]);
      const asked = (await rqA!.records('merchant')).preCheckout.filter((r) => r.input.requestId === requestId);
      expect(asked).toHaveLength(1);
      expect((await rqB!.message(payer, room.id, requestId)).content.body.status).toBe('paid');
    },
  );
});
