/**
 * Payments: money in from the (simulated) card provider, PINs, free person-to-person transfers
 * in conversations, idempotency, limits and bad amounts, and concurrent double spends.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { PIN, paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';

describe('payments: transfers', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let alice: TestUser;
  let bob: TestUser;
  let botId: string;

  beforeAll(async () => {
    host = await startPaymentsHost({
      settings: { limits: { perTransferMinor: 50_000, dailyMinor: 80_000 }, pin: { maxAttempts: 3, lockMinutes: 15 } },
    });
    api = paymentsApi(host);
    [alice, bob] = await Promise.all([host.createUser(), host.createUser()]);
    botId = (await host.http('GET', '/v1/admin/plugins', { token: 'admin' })).body.plugins[0].botUserId;
    await api.setPin(alice);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('tops up from a card through the provider, and books a decline as nothing', async () => {
    const ok = await api.topUp(alice, 100_000);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({
      kind: 'topup',
      status: 'succeeded',
      amountMinor: 100_000,
      currency: 'EUR',
      providerRef: expect.stringMatching(/^sim_/),
    });
    const declined = await api.topUp(alice, 5_000, 'EUR', 'tok_declined');
    expect(declined.status).toBe(402);
    expect(declined.body.error).toMatchObject({ code: 'card_declined', details: { operationId: expect.any(String) } });
    expect((await api.call(alice, 'GET', `/operations/${declined.body.error.details.operationId}`)).body).toMatchObject(
      { status: 'declined' },
    );
    expect(await api.balance(alice)).toBe(100_000);
    expect((await api.verify()).ok).toBe(true);
  });

  it('moves money between two people in a conversation, and posts it there', async () => {
    const room = await host.createGroup(alice, [bob], 'lunch');
    await host.http('POST', `/v1/conversations/${room.id}/members`, { token: alice.token, body: { userIds: [botId] } });
    const res = await api.transfer(alice, bob, 1_250, { conversationId: room.id, note: 'lunch' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      status: 'completed',
      from: alice.id,
      to: bob.id,
      amountMinor: 1_250,
      currency: 'EUR',
      note: 'lunch',
      balanceAfterMinor: 98_750,
    });
    expect(await api.balance(bob)).toBe(1_250);
    const posted = (await fullHistory(host.url, bob.token, room.id)).find(
      (m) => m.content.type === 'payments.transfer',
    );
    expect(posted).toMatchObject({
      senderId: botId,
      content: {
        body: { transferId: res.body.transferId, amountMinor: 1_250, currency: 'EUR', from: alice.id, to: bob.id },
      },
    });
    // Nobody but the payments bot may post that type.
    const forged = await host.http('POST', `/v1/conversations/${room.id}/messages`, {
      token: alice.token,
      body: { clientMsgId: randomUUID(), content: posted.content },
    });
    expect(forged.status).toBe(403);
  });

  it('refuses a conversation the payer or the bot is not in', async () => {
    const elsewhere = await host.createGroup(bob, [], 'not alice');
    const res = await api.transfer(alice, bob, 100, { conversationId: elsewhere.id });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('conversation_unavailable');
    // A conversation id that cannot be one is malformed, as it is for a payment request.
    for (const conversationId of ['', 'c'.repeat(65)]) {
      const malformed = await api.transfer(alice, bob, 100, { conversationId });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error).toMatchObject({
        code: 'invalid_payment_request',
        message: 'conversationId is a conversation id.',
      });
    }
  });

  it('returns the original result for a retry with the same key, and refuses the key for another request', async () => {
    const key = randomUUID();
    const before = await api.balance(alice);
    const first = await api.transfer(alice, bob, 300, { idempotencyKey: key });
    const again = await api.transfer(alice, bob, 300, { idempotencyKey: key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => api.transfer(alice, bob, 300, { idempotencyKey: key })),
    );
    for (const r of concurrent) expect(r.body.transferId).toBe(first.body.transferId);
    const other = await api.transfer(alice, bob, 301, { idempotencyKey: key });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_conflict');
    expect(await api.balance(alice)).toBe(before - 300);
  });

  it.each([
    [0, 'must be positive'],
    [-5, 'must be positive'],
    [1.5, 'whole number'],
    [2 ** 60, 'larger than one payment may move'],
    [Number.MAX_SAFE_INTEGER, 'larger than one payment may move'],
    [10 ** 13 + 1, 'larger than one payment may move'],
    ['100', 'whole number'],
  ])('refuses the amount %s with invalid_amount', async (amountMinor, message) => {
    const res = await api.transfer(alice, bob, amountMinor as number);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_amount', message: expect.stringContaining(message) });
  });

  it('refuses an unknown currency, and one the payer holds none of', async () => {
    const unknown = await api.transfer(alice, bob, 100, { currency: 'XXX' });
    expect(unknown.body.error).toMatchObject({ code: 'unknown_currency', message: expect.stringContaining('EUR') });
    const none = await api.transfer(alice, bob, 100, { currency: 'USD' });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('insufficient_funds');
  });

  it('enforces the per-transfer and the daily limit', async () => {
    const big = await api.transfer(alice, bob, 50_001);
    expect(big.body.error).toMatchObject({ code: 'limit_exceeded', details: { limitMinor: 50_000 } });
    expect((await api.transfer(alice, bob, 50_000)).status).toBe(201);
    const daily = await api.transfer(alice, bob, 40_000);
    expect(daily.status).toBe(403);
    expect(daily.body.error).toMatchObject({ code: 'limit_exceeded', details: { limitMinor: 80_000 } });
  });

  it('refuses a transfer to oneself or to nobody', async () => {
    expect((await api.transfer(alice, alice, 100)).body.error.code).toBe('self_transfer');
    expect(
      (
        await api.call(alice, 'POST', '/transfers', {
          to: 'nobody-at-all',
          amountMinor: 1,
          currency: 'EUR',
          pin: PIN,
          idempotencyKey: 'x',
        })
      ).body.error.code,
    ).toBe('recipient_not_found');
  });

  it('needs a PIN, rate-limits wrong ones and locks after too many', async () => {
    const carol = await host.createUser();
    await api.topUp(carol, 1_000);
    expect((await api.transfer(carol, bob, 100)).body.error.code).toBe('pin_required');
    await api.setPin(carol, '1234');
    const wrong1 = await api.transfer(carol, bob, 100, { pin: '0000' });
    expect(wrong1.status).toBe(401);
    expect(wrong1.body.error).toMatchObject({ code: 'pin_invalid', details: { attemptsLeft: 2 } });
    expect((await api.transfer(carol, bob, 100, { pin: '0000' })).body.error.details.attemptsLeft).toBe(1);
    const locked = await api.transfer(carol, bob, 100, { pin: '0000' });
    expect(locked.status).toBe(423);
    expect(locked.body.error).toMatchObject({ code: 'pin_locked', details: { retryAfterMs: expect.any(Number) } });
    // Locked: even the right PIN is refused, and nothing moved.
    expect((await api.transfer(carol, bob, 100, { pin: '1234' })).body.error.code).toBe('pin_locked');
    expect(await api.balance(carol)).toBe(1_000);
    // Changing the PIN needs the current one.
    expect((await api.call(carol, 'POST', '/pin', { pin: '5555' })).status).toBe(423);
  });

  it("gives back a refused transfer's key, so the same request goes through once the money is there", async () => {
    const erin = await host.createUser();
    await api.setPin(erin);
    await api.topUp(erin, 50);
    const keys = [randomUUID(), randomUUID(), randomUUID()];
    // Refused under the wallet's lock (50 is not enough), likely in one batch.
    const refused = await Promise.all(keys.map((key) => api.transfer(erin, bob, 100, { idempotencyKey: key })));
    expect(refused.map((r) => r.body.error?.code)).toEqual([
      'insufficient_funds',
      'insufficient_funds',
      'insufficient_funds',
    ]);
    await api.topUp(erin, 250);
    const again = await Promise.all(keys.map((key) => api.transfer(erin, bob, 100, { idempotencyKey: key })));
    expect(again.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(await api.balance(erin)).toBe(0);
  });

  it('never lets concurrent transfers spend the same money twice', async () => {
    const dave = await host.createUser();
    await api.setPin(dave);
    await api.topUp(dave, 1_000);
    const payees = await Promise.all(Array.from({ length: 4 }, () => host.createUser()));
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => api.transfer(dave, payees[i % 4]!, 100)));
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(ok).toHaveLength(10);
    for (const r of refused) expect(r.body.error.code).toBe('insufficient_funds');
    expect(await api.balance(dave)).toBe(0);
    const received = await Promise.all(payees.map((p) => api.balance(p)));
    expect(received.reduce((a, b) => a + b, 0)).toBe(1_000);
    const report = await api.verify();
    expect(report.problems).toEqual([]);
    expect((await api.totals()).EUR!.total).toBe(0);
  });

  it('answers the chat commands, without ever posting the PIN', async () => {
    const room = await host.createGroup(alice, [bob], 'chat pay');
    await host.http('POST', `/v1/conversations/${room.id}/members`, { token: alice.token, body: { userIds: [botId] } });
    const pay = await host.http('POST', `/v1/conversations/${room.id}/commands`, {
      token: alice.token,
      body: { text: `/pay @${bob.handle} 2.50 EUR ${PIN} coffee key=${randomUUID()}` },
    });
    expect(pay.body.reply.text).toMatch(/^Sent 2\.50 EUR\. Your balance: /);
    const bad = await host.http('POST', `/v1/conversations/${room.id}/commands`, {
      token: alice.token,
      body: { text: `/pay @${bob.handle} 2.505 EUR ${PIN} key=${randomUUID()}` },
    });
    expect(bad.body.reply.text).toMatch(/2 decimal places.*\[invalid_amount\]/);
    const history = await fullHistory(host.url, bob.token, room.id);
    // Ids are left out: a random UUID holds the PIN's digits now and then ("…-4711-…").
    const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
    expect(JSON.stringify(history).replace(UUID, '<id>')).not.toContain(PIN);
    expect(history.filter((m) => m.content.type === 'payments.transfer')).toHaveLength(1);
    expect(
      (
        await host.http('POST', `/v1/conversations/${room.id}/commands`, {
          token: bob.token,
          body: { text: '/balance' },
        })
      ).body.reply.text,
    ).toMatch(/EUR/);
  });
});
