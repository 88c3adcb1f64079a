/**
 * Payments: what the HTTP API and the chat commands promise (issue 12): unknown body fields are
 * refused on every route, a missing PIN is not a wrong one, bots cannot be paid by transfer, GET
 * /transfers lists transfers in the shape POST answers, a requester can withdraw their request,
 * and /pay sent twice by a real client pays once.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { fullHistory, repoRoot } from './support/e2e.js';
import { PIN, paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import { botOf, roomWith } from './support/plugin-helpers.js';
import { online } from './support/protocol-helpers.js';
import { requestsApi } from './support/requests-helpers.js';

const manifest = JSON.parse(readFileSync(`${repoRoot}/manifests/payments.json`, 'utf8'));

describe('payments: the API contract', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let alice: TestUser;
  let bob: TestUser;
  let paymentsBot: string;
  let room: { id: string };

  beforeAll(async () => {
    host = await startPaymentsHost({ settings: { pin: { maxAttempts: 3, lockMinutes: 15 } } });
    api = paymentsApi(host);
    [alice, bob] = await Promise.all([host.createUser(), host.createUser()]);
    paymentsBot = await botOf(host, 'payments');
    room = await roomWith(host, alice, ['payments'], [bob]);
    await api.setPin(alice);
    await api.setPin(bob);
    expect((await api.topUp(alice, 50_000)).status).toBe(201);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const postRoutes = (manifest.contributes.routes as { method: string; path: string; auth: string }[]).filter(
    (r) => r.method === 'POST' && r.path !== '/provider/callbacks',
  );

  it.each(postRoutes.map((r) => [r.path, r.auth]))('POST %s refuses a field it does not take', async (path, auth) => {
    const res = await api.call(auth === 'admin' ? 'admin' : alice, 'POST', path.replace(':id', randomUUID()), {
      bogus: 1,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'invalid_payment_request',
      message: expect.stringContaining('"bogus"'),
      details: { unknownFields: ['bogus'] },
    });
  });

  it('refuses a whole, valid transfer with one unknown field, and moves nothing', async () => {
    const before = await api.balance(alice);
    const res = await api.transfer(alice, bob, 100, { memo: 'typo of note' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.unknownFields).toEqual(['memo']);
    expect(await api.balance(alice)).toBe(before);
  });

  it('does not count a request without a PIN towards the lockout', async () => {
    const noPin = { to: bob.id, amountMinor: 100, currency: 'EUR' };
    for (let i = 0; i < 4; i++) {
      const res = await api.call(alice, 'POST', '/transfers', { ...noPin, idempotencyKey: randomUUID() });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('invalid_payment_request');
    }
    const payout = await api.call(alice, 'POST', '/payouts', {
      amountMinor: 100,
      currency: 'EUR',
      destination: 'bank_ok',
      idempotencyKey: randomUUID(),
    });
    expect(payout.body.error.code).toBe('invalid_payment_request');
    const hold = await api.call(alice, 'POST', '/holds', {
      payee: bob.id,
      amountMinor: 100,
      currency: 'EUR',
      idempotencyKey: randomUUID(),
    });
    expect(hold.body.error.code).toBe('invalid_payment_request');
    // Not locked, and a wrong PIN is still the first wrong one.
    expect((await api.transfer(alice, bob, 100, { pin: '0000' })).body.error).toMatchObject({
      code: 'pin_invalid',
      details: { attemptsLeft: 2 },
    });
    expect((await api.transfer(alice, bob, 100)).status).toBe(201);
  });

  it('refuses a transfer to a bot, by id, by handle and in chat, and pays it nothing', async () => {
    const bot = (await host.http('GET', `/v1/users/${paymentsBot}`, { token: alice.token })).body;
    for (const to of [paymentsBot, `@${bot.handle}`]) {
      const res = await api.call(alice, 'POST', '/transfers', {
        to,
        amountMinor: 100,
        currency: 'EUR',
        pin: PIN,
        idempotencyKey: randomUUID(),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('recipient_is_bot');
    }
    const chat = await host.http('POST', `/v1/conversations/${room.id}/commands`, {
      token: alice.token,
      body: { text: `/pay @${bot.handle} 1.00 EUR ${PIN} key=${randomUUID()}` },
    });
    expect(chat.body.reply.text).toMatch(/\[recipient_is_bot\]$/);
    const balances = (await api.call('admin', 'GET', '/admin/reports/balances')).body.currencies.EUR;
    expect(balances.users).toBe(50_000);
  });

  it("lists transfers in the shape POST /transfers answers, each with the viewer's balance after it", async () => {
    const sent = await api.transfer(alice, bob, 1_234, { conversationId: room.id, note: 'books' });
    expect(sent.status).toBe(201);
    const mine = (await api.call(alice, 'GET', '/transfers')).body;
    expect(mine.sent[0]).toEqual(sent.body);
    const theirs = (await api.call(bob, 'GET', '/transfers')).body;
    expect(theirs.received[0]).toEqual({ ...sent.body, balanceAfterMinor: await api.balance(bob) });
    expect(Object.keys(theirs.received[0]).sort()).toEqual(Object.keys(sent.body).sort());
  });

  it('lets the requester withdraw an open request, once; the payer can then not pay it', async () => {
    const rq = requestsApi(host, api);
    const asked = await rq.ask(bob, alice, 700, room.id);
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    const id = asked.body.requestId;
    const byPayer = await api.call(alice, 'POST', `/requests/${id}/cancel`);
    expect(byPayer.status).toBe(403);
    expect(byPayer.body.error.code).toBe('not_permitted');
    const canceled = await api.call(bob, 'POST', `/requests/${id}/cancel`);
    expect(canceled.status, JSON.stringify(canceled.body)).toBe(200);
    expect(canceled.body).toMatchObject({ requestId: id, status: 'canceled' });
    expect((await api.call(bob, 'POST', `/requests/${id}/cancel`)).body).toEqual(canceled.body);
    const pay = await rq.pay(alice, id);
    expect(pay.status).toBe(409);
    expect(pay.body.error).toMatchObject({ code: 'request_not_open', details: { status: 'canceled' } });
    const message = (await fullHistory(host.url, alice.token, room.id)).find(
      (m) => m.content.type === 'payments.request' && m.content.body.requestId === id,
    );
    expect(message.content.body.status).toBe('canceled');
    // A request that is no longer open cannot be withdrawn.
    const paid = await rq.ask(bob, alice, 300, room.id);
    expect((await rq.pay(alice, paid.body.requestId)).status).toBe(200);
    expect((await api.call(bob, 'POST', `/requests/${paid.body.requestId}/cancel`)).body.error).toMatchObject({
      code: 'request_not_open',
      details: { status: 'paid' },
    });
    await api.expectLedgerWhole();
  });

  it.each([
    [
      'key= in the text',
      (id: string) => ({
        type: 'command',
        id,
        conversationId: room.id,
        text: `/pay @${bob.handle} 3.25 EUR ${PIN} coffee key=${randomUUID()}`,
      }),
    ],
    [
      "the frame's idempotencyKey",
      (id: string) => ({
        type: 'command',
        id,
        idempotencyKey: randomUUID(),
        conversationId: room.id,
        text: `/pay @${bob.handle} 3.25 EUR ${PIN} coffee`,
      }),
    ],
  ])(
    'pays once for a /pay command frame a client sends twice, at once and again after reconnecting (%s)',
    async (_how, make) => {
      const before = await api.balance(alice);
      const payments = async () =>
        (await fullHistory(host.url, bob.token, room.id)).filter(
          (m) => m.content.type === 'payments.transfer' && m.content.body.amountMinor === 325,
        );
      const postedBefore = (await payments()).length;
      const frame = make(`pay-${randomUUID()}`);
      const first = await online(host, alice);
      const answers = first.collect((f) => f.type === 'result' && f.replyTo === frame.id, 2);
      first.sendRaw(frame);
      first.sendRaw(frame);
      const replies = (await answers).map((f) => f.data.reply.text);
      first.ws.close();
      const second = await online(host, alice);
      replies.push((await second.request(frame)).reply.text);
      second.ws.close();
      for (const text of replies)
        expect(text).toBe(`Sent 3.25 EUR. Your balance: ${((before - 325) / 100).toFixed(2)} EUR.`);
      expect(await api.balance(alice)).toBe(before - 325);
      const posted = (await payments()).slice(postedBefore);
      expect(posted).toHaveLength(1);
      expect(posted[0].content.body.note).toBe('coffee');
    },
  );

  it('refuses a /pay without a key, and pays nothing', async () => {
    const before = await api.balance(alice);
    const res = await host.http('POST', `/v1/conversations/${room.id}/commands`, {
      token: alice.token,
      body: { text: `/pay @${bob.handle} 1.00 EUR ${PIN} lunch` },
    });
    expect(res.body.reply.text).toMatch(/key=.*\[invalid_payment_request\]$/);
    expect(await api.balance(alice)).toBe(before);
  });
});
