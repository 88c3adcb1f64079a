/**
 * Payments: payment requests between people, end to end over HTTP against real hosts. A person
 * asks another for money (POST /requests); the payer pays with their PIN, once, or declines; the
 * request's message in the conversation shows each state; an unpaid request expires.
 * Invoices from plugins are in payments-invoices.test.ts.
 * After every test the ledger verifies and every currency sums to zero.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import { botOf, roomWith } from './support/plugin-helpers.js';
import { eventually } from './support/eventually.js';
import { ISO, merchant, requestsApi } from './support/requests-helpers.js';

describe('payments: requests between people', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let rq: ReturnType<typeof requestsApi>;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let paymentsBot: string;
  let room: { id: string };

  beforeAll(async () => {
    host = await startPaymentsHost({ settings: { limits: { perTransferMinor: 50_000, dailyMinor: 100_000 } } });
    api = paymentsApi(host);
    rq = requestsApi(host, api);
    [alice, bob, carol] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    paymentsBot = await botOf(host, 'payments');
    room = await roomWith(host, alice, ['payments'], [bob]);
    await api.setPin(alice);
    await api.setPin(bob);
    expect((await api.topUp(alice, 30_000)).status).toBe(201);
  });
  afterEach(() => api.expectLedgerWhole());
  afterAll(async () => {
    await host?.stop();
  });

  it('a person asks another for money: the request is posted with its documented shape, and paying moves the money once', async () => {
    const [aliceBefore, bobBefore] = [await api.balance(alice), await api.balance(bob)];
    const asked = await rq.ask(bob, `@${alice.handle}`, 1_500, room.id, { note: 'pizza' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    const requestId = asked.body.requestId;
    expect(asked.body).toMatchObject({
      kind: 'user',
      status: 'open',
      payerId: alice.id,
      payeeId: bob.id,
      pluginId: null,
      conversationId: room.id,
      amountMinor: 1_500,
      currency: 'EUR',
      description: 'pizza',
      lines: null,
      reason: null,
      txId: null,
      paidAt: null,
      expiresAt: expect.stringMatching(ISO),
    });

    const posted = await rq.message(alice, room.id, requestId);
    expect(posted.senderId).toBe(paymentsBot);
    expect(posted.id).toBe(asked.body.messageId);
    expect(posted.content).toEqual({
      type: 'payments.request',
      body: {
        requestId,
        kind: 'user',
        payerId: alice.id,
        payeeId: bob.id,
        pluginId: null,
        amountMinor: 1_500,
        currency: 'EUR',
        description: 'pizza',
        lines: null,
        status: 'open',
        reason: null,
        expiresAt: asked.body.expiresAt,
      },
    });
    // Nobody but the payments bot may post that type.
    const forged = await host.http('POST', `/v1/conversations/${room.id}/messages`, {
      token: bob.token,
      body: { clientMsgId: randomUUID(), content: posted.content },
    });
    expect(forged.status).toBe(403);

    const key = randomUUID();
    const paid = await rq.pay(alice, requestId, { idempotencyKey: key });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({
      requestId,
      status: 'paid',
      txId: expect.any(Number),
      paidAt: expect.stringMatching(ISO),
    });
    expect(await api.balance(alice)).toBe(aliceBefore - 1_500);
    expect(await api.balance(bob)).toBe(bobBefore + 1_500);

    // The same confirmation again answers the same; another one finds the request paid.
    const again = await rq.pay(alice, requestId, { idempotencyKey: key });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(paid.body);
    const other = await rq.pay(alice, requestId);
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: 'request_not_open', details: { status: 'paid' } });
    expect(await api.balance(alice)).toBe(aliceBefore - 1_500);

    const edited = await rq.message(bob, room.id, requestId);
    expect(edited.editedAt).not.toBeNull();
    expect(edited.content.body).toMatchObject({ requestId, status: 'paid', reason: null });
    expect(await rq.get(bob, requestId)).toMatchObject({ status: 'paid', txId: paid.body.txId });
    const stranger = await api.call(carol, 'GET', `/requests/${requestId}`);
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('not_found');
    const lists = [(await api.call(alice, 'GET', '/requests')).body, (await api.call(bob, 'GET', '/requests')).body];
    expect(lists[0].incoming.map((r: any) => r.requestId)).toContain(requestId);
    expect(lists[1].outgoing.map((r: any) => r.requestId)).toContain(requestId);
    expect(lists[0].outgoing.map((r: any) => r.requestId)).not.toContain(requestId);
  });

  it('charges once when the payer confirms many times at the same moment', async () => {
    const [aliceBefore, bobBefore] = [await api.balance(alice), await api.balance(bob)];
    const {
      body: { requestId },
    } = await rq.ask(bob, alice, 800, room.id);
    const results = await Promise.all(Array.from({ length: 8 }, () => rq.pay(alice, requestId)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok, JSON.stringify(results.map((r) => r.body))).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200))
      expect(r.body.error).toMatchObject({ code: 'request_not_open', details: { status: 'paid' } });
    expect(await api.balance(alice)).toBe(aliceBefore - 800);
    expect(await api.balance(bob)).toBe(bobBefore + 800);
  });

  it('the payer declines: nothing moves, and a declined request cannot be paid; only the payer pays or declines', async () => {
    const aliceBefore = await api.balance(alice);
    const {
      body: { requestId },
    } = await rq.ask(bob, alice, 400, room.id);
    expect((await rq.pay(bob, requestId)).body.error.code).toBe('not_payer');
    expect((await rq.decline(bob, requestId)).status).toBe(403);
    expect((await rq.decline(carol, requestId)).body.error.code).toBe('not_found');
    const declined = await rq.decline(alice, requestId);
    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
    expect(declined.body).toMatchObject({ status: 'declined' });
    expect((await rq.decline(alice, requestId)).body.status).toBe('declined');
    const pay = await rq.pay(alice, requestId);
    expect(pay.status).toBe(409);
    expect(pay.body.error).toMatchObject({ code: 'request_not_open', details: { status: 'declined' } });
    expect(await api.balance(alice)).toBe(aliceBefore);
    expect((await rq.message(alice, room.id, requestId)).content.body.status).toBe('declined');
  });

  it('keeps a request open when the PIN is wrong or the money is short, and refuses bad requests', async () => {
    const {
      body: { requestId },
    } = await rq.ask(alice, bob, 40_000, room.id);
    const wrong = await rq.pay(bob, requestId, { pin: '0000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('pin_invalid');
    const short = await rq.pay(bob, requestId);
    expect(short.status, JSON.stringify(short.body)).toBe(409);
    expect(short.body.error.code).toBe('insufficient_funds');
    expect((await rq.get(bob, requestId)).status).toBe('open');
    expect((await rq.decline(bob, requestId)).status).toBe(200);

    expect((await rq.ask(bob, bob, 100, room.id)).body.error.code).toBe('self_transfer');
    expect((await rq.ask(bob, 'no-such-user', 100, room.id)).body.error).toMatchObject({ code: 'payer_not_found' });
    expect((await rq.ask(bob, carol, 100, room.id)).body.error.code).toBe('conversation_unavailable');
    const noBot = await host.createGroup(alice, [bob], 'no payments bot');
    expect((await rq.ask(bob, alice, 100, noBot.id)).body.error.code).toBe('conversation_unavailable');
    expect((await rq.ask(bob, alice, 0, room.id)).body.error.code).toBe('invalid_amount');
    expect((await rq.ask(bob, alice, 50_001, room.id)).body.error.code).toBe('limit_exceeded');

    // The same key and body make the same request; the key with another body is refused.
    const key = randomUUID();
    const first = await rq.ask(bob, alice, 123, room.id, { idempotencyKey: key });
    const retry = await rq.ask(bob, alice, 123, room.id, { idempotencyKey: key });
    expect([first.status, retry.status]).toEqual([201, 200]);
    expect(retry.body.requestId).toBe(first.body.requestId);
    const conflict = await rq.ask(bob, alice, 124, room.id, { idempotencyKey: key });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('idempotency_conflict');
    const messages = (await fullHistory(host.url, bob.token, room.id)).filter(
      (m) => m.content?.type === 'payments.request' && m.content.body.requestId === first.body.requestId,
    );
    expect(messages).toHaveLength(1);
    expect((await rq.decline(alice, first.body.requestId)).status).toBe(200);
  });
});

describe('payments: requests expire', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let rq: ReturnType<typeof requestsApi>;
  let alice: TestUser;
  let bob: TestUser;
  let room: { id: string };

  beforeAll(async () => {
    host = await startPaymentsHost({
      settings: { requests: { expireAfterSeconds: 1 } },
      plugins: [merchant('merchant')],
    });
    api = paymentsApi(host);
    rq = requestsApi(host, api);
    [alice, bob] = await Promise.all([host.createUser(), host.createUser()]);
    room = await roomWith(host, alice, ['payments', 'merchant'], [bob]);
    await api.setPin(alice);
    await api.topUp(alice, 5_000);
  });
  afterEach(() => api.expectLedgerWhole());
  afterAll(async () => {
    await host?.stop();
  });

  it('an unpaid request expires: it cannot be paid, its message says so, and an invoicing plugin hears it', async () => {
    const asked = await rq.ask(bob, alice, 300, room.id);
    const invoice = await rq.invoice('merchant', {
      payerId: alice.id,
      conversationId: room.id,
      currency: 'EUR',
      amountMinor: 300,
      description: 'Later',
      idempotencyKey: randomUUID(),
    });
    expect(asked.status).toBe(201);
    expect(invoice.ok, JSON.stringify(invoice)).toBe(true);
    // Until both are past the expiresAt the host gave them (host and test share the clock).
    const due = Math.max(
      Date.parse(asked.body.expiresAt),
      Date.parse((await rq.get(alice, invoice.value.requestId)).expiresAt),
    );
    expect(due).toBeGreaterThan(0);
    await eventually(() => Date.now() > due, { what: 'both requests are past their expiresAt', timeoutMs: 10_000 });
    const late = await rq.pay(alice, asked.body.requestId);
    expect(late.status, JSON.stringify(late.body)).toBe(410);
    expect(late.body.error).toMatchObject({ code: 'request_expired', details: { status: 'expired' } });
    expect((await rq.get(bob, asked.body.requestId)).status).toBe('expired');
    expect((await rq.message(alice, room.id, asked.body.requestId)).content.body.status).toBe('expired');
    expect((await rq.decline(alice, invoice.value.requestId)).body.error.code).toBe('request_expired');
    expect(await rq.resultFor('merchant', invoice.value.requestId)).toMatchObject([
      { input: { requestId: invoice.value.requestId, status: 'expired' } },
    ]);
    expect(await api.balance(alice)).toBe(5_000);
    expect((await rq.records('merchant')).preCheckout).toEqual([]);
  });
});
