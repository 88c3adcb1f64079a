/**
 * Payments: payment requests and invoices, end to end over HTTP against real hosts.
 * - A person asks another for money (POST /requests); the payer pays with their PIN, once,
 *   or declines; the request's message in the conversation shows each state.
 * - Plugins invoice through the service payments.request (idempotent per caller and key; a
 *   caller without the grant is refused); before charging, payments asks the caller's
 *   preCheckout (ok, refused, broken, or never answering: nothing is charged unless it says ok),
 *   and tells it how the request ended through its paymentResult.
 * - The shipped shop app checks out through the real payments plugin.
 * After every test the ledger verifies and every currency sums to zero.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { fullHistory, repoRoot, sleep } from './support/e2e.js';
import { PIN, paymentsApi, paymentsManifestWith, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import { botOf, enable, roomWith, runCommand, writeManifest } from './support/plugin-helpers.js';
import { waitForApp } from './support/sandbox-helpers.js';

type Res = { status: number; body: any };

const MERCHANT_ENTRY = join(repoRoot, 'test/fixtures/plugins/merchant/index.ts');
const SHOP_MANIFEST = join(repoRoot, 'manifests/shop.json');
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** An invoicing plugin (test/fixtures/plugins/merchant) under the given id. */
function merchant(id: string, settings: Record<string, unknown> = {}, grants?: Record<string, false | Record<string, unknown>>) {
  return enable({
    id, name: `Merchant ${id}`, version: '1.0.0', description: 'Invoices through payments.request.', author: 'Switchboard tests',
    engine: '^1.0.0', runtime: 'trusted', entry: MERCHANT_ENTRY,
    permissions: { 'services.call': { services: ['payments.request'] }, storage: {}, 'http.routes': {} },
    contributes: {
      services: [{ name: 'preCheckout' }, { name: 'paymentResult' }],
      routes: [{ method: 'POST', path: '/invoice', auth: 'admin' }, { method: 'GET', path: '/records', auth: 'admin' }],
      settings: { type: 'object', additionalProperties: false, properties: { preCheckout: { enum: ['ok', 'refuse', 'hang', 'throw'] }, refuseReason: { type: 'string' } } },
    },
  }, { settings, ...(grants ? { grants } : {}) });
}

const callbacksOf = (ids: string[]) => ids.flatMap((id) => [`${id}.preCheckout`, `${id}.paymentResult`]);

/** Requests, invoices and the merchants' records, for one host. */
function requestsApi(host: TestHost, api: PaymentsApi) {
  const self = {
    ask: (requester: TestUser, payer: TestUser | string, amountMinor: number, conversationId: string, extra: Record<string, unknown> = {}): Promise<Res> =>
      api.call(requester, 'POST', '/requests', {
        from: typeof payer === 'string' ? payer : payer.id, amountMinor, currency: 'EUR', conversationId, idempotencyKey: randomUUID(), ...extra,
      }),
    pay: (payer: TestUser, requestId: string, extra: Record<string, unknown> = {}): Promise<Res> =>
      api.call(payer, 'POST', `/requests/${requestId}/pay`, { pin: PIN, idempotencyKey: randomUUID(), ...extra }),
    decline: (payer: TestUser, requestId: string): Promise<Res> => api.call(payer, 'POST', `/requests/${requestId}/decline`, {}),
    async get(user: TestUser, requestId: string): Promise<any> {
      const res = await api.call(user, 'GET', `/requests/${requestId}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    },
    /** Calls payments.request as the merchant plugin `id`; answers { ok, value } or { ok: false, code, message, details }. */
    async invoice(id: string, input: Record<string, unknown>): Promise<any> {
      const res = await host.http('POST', `/plugins/${id}/invoice`, { token: 'admin', body: input });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    },
    async records(id: string): Promise<{ preCheckout: any[]; results: any[] }> {
      const res = await host.http('GET', `/plugins/${id}/records`, { token: 'admin' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    },
    /** Polls the merchant's records until one result for the request arrived (10 s at most). */
    async resultFor(id: string, requestId: string): Promise<any> {
      const until = Date.now() + 10_000;
      for (;;) {
        const found = (await self.records(id)).results.filter((r) => r.input.requestId === requestId);
        if (found.length > 0) return found;
        if (Date.now() > until) throw new Error(`no paymentResult for ${requestId} reached ${id}`);
        await sleep(50);
      }
    },
    /** The request's message in the conversation, as the payer sees it. */
    async message(user: TestUser, conversationId: string, requestId: string): Promise<any> {
      const found = (await fullHistory(host.url, user.token, conversationId)).filter((m) => m.content?.type === 'payments.request' && m.content.body.requestId === requestId);
      expect(found, `messages of request ${requestId}`).toHaveLength(1);
      return found[0];
    },
  };
  return self;
}

/** A bot's balance, through GET /balance with a service token the operator issues for the bot. */
async function botBalance(host: TestHost, botId: string, currency = 'EUR'): Promise<number> {
  const issued = await host.http('POST', `/v1/admin/users/${botId}/tokens`, { token: 'admin', body: { label: 'test' } });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  const res = await host.http('GET', '/plugins/payments/balance', { token: issued.body.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.balances.find((b: any) => b.currency === currency)?.balanceMinor ?? 0;
}

describe('payments: requests and invoices', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let rq: ReturnType<typeof requestsApi>;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let paymentsBot: string;
  let room: { id: string };
  const MERCHANTS = ['merchant', 'merchant-refuses', 'merchant-hangs', 'merchant-breaks', 'merchant-other'];
  const TIMEOUT_MS = 400;

  beforeAll(async () => {
    host = await startPaymentsHost({
      // The operator lists the invoicing plugins' callbacks in payments' services.call scope;
      // merchant-unlisted's are left out on purpose.
      manifestPath: writeManifest(paymentsManifestWith(callbacksOf(MERCHANTS)), 'payments'),
      settings: { limits: { perTransferMinor: 50_000, dailyMinor: 100_000 }, requests: { preCheckoutTimeoutMs: TIMEOUT_MS } },
      plugins: [
        merchant('merchant'),
        merchant('merchant-other'),
        merchant('merchant-refuses', { preCheckout: 'refuse', refuseReason: 'out of stock' }),
        merchant('merchant-hangs', { preCheckout: 'hang' }),
        merchant('merchant-breaks', { preCheckout: 'throw' }),
        merchant('merchant-unlisted'),
        merchant('merchant-nogrant', {}, { 'services.call': false }),
        { path: SHOP_MANIFEST, settings: { catalog: [{ id: 'mug', name: 'Mug', priceMinor: 990, currency: 'EUR' }, { id: 'pin', name: 'Pin badge', priceMinor: 250, currency: 'EUR' }] } },
      ],
    });
    api = paymentsApi(host);
    rq = requestsApi(host, api);
    [alice, bob, carol] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    paymentsBot = await botOf(host, 'payments');
    room = await roomWith(host, alice, ['payments', 'merchant', 'merchant-other', 'merchant-refuses', 'merchant-hangs', 'merchant-breaks', 'merchant-unlisted', 'merchant-nogrant'], [bob]);
    await api.setPin(alice);
    await api.setPin(bob);
    expect((await api.topUp(alice, 30_000)).status).toBe(201);
  });
  afterEach(async () => {
    const report = await api.verify();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect((await api.totals()).EUR?.total ?? 0).toBe(0);
  });
  afterAll(async () => { await host?.stop(); });

  const invoiceInput = (extra: Record<string, unknown> = {}) => ({
    payerId: alice.id, conversationId: room.id, currency: 'EUR', amountMinor: 700, description: 'Order: 2 × Widget',
    lines: [{ itemId: 'widget', name: 'Widget', qty: 2, unitMinor: 350, lineMinor: 700 }], idempotencyKey: randomUUID(), ...extra,
  });

  it('a person asks another for money: the request is posted with its documented shape, and paying moves the money once', async () => {
    const [aliceBefore, bobBefore] = [await api.balance(alice), await api.balance(bob)];
    const asked = await rq.ask(bob, `@${alice.handle}`, 1_500, room.id, { note: 'pizza' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    const requestId = asked.body.requestId;
    expect(asked.body).toMatchObject({
      kind: 'user', status: 'open', payerId: alice.id, payeeId: bob.id, pluginId: null, conversationId: room.id,
      amountMinor: 1_500, currency: 'EUR', description: 'pizza', lines: null, reason: null, txId: null, paidAt: null, expiresAt: expect.stringMatching(ISO),
    });

    const posted = await rq.message(alice, room.id, requestId);
    expect(posted.senderId).toBe(paymentsBot);
    expect(posted.id).toBe(asked.body.messageId);
    expect(posted.content).toEqual({
      type: 'payments.request',
      body: {
        requestId, kind: 'user', payerId: alice.id, payeeId: bob.id, pluginId: null, amountMinor: 1_500, currency: 'EUR',
        description: 'pizza', lines: null, status: 'open', reason: null, expiresAt: asked.body.expiresAt,
      },
    });
    // Nobody but the payments bot may post that type.
    const forged = await host.http('POST', `/v1/conversations/${room.id}/messages`, { token: bob.token, body: { clientMsgId: randomUUID(), content: posted.content } });
    expect(forged.status).toBe(403);

    const key = randomUUID();
    const paid = await rq.pay(alice, requestId, { idempotencyKey: key });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({ requestId, status: 'paid', txId: expect.any(Number), paidAt: expect.stringMatching(ISO) });
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
    const { body: { requestId } } = await rq.ask(bob, alice, 800, room.id);
    const results = await Promise.all(Array.from({ length: 8 }, () => rq.pay(alice, requestId)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok, JSON.stringify(results.map((r) => r.body))).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body.error).toMatchObject({ code: 'request_not_open', details: { status: 'paid' } });
    expect(await api.balance(alice)).toBe(aliceBefore - 800);
    expect(await api.balance(bob)).toBe(bobBefore + 800);
  });

  it('the payer declines: nothing moves, and a declined request cannot be paid; only the payer pays or declines', async () => {
    const aliceBefore = await api.balance(alice);
    const { body: { requestId } } = await rq.ask(bob, alice, 400, room.id);
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
    const { body: { requestId } } = await rq.ask(alice, bob, 40_000, room.id);
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
    const messages = (await fullHistory(host.url, bob.token, room.id)).filter((m) => m.content?.type === 'payments.request' && m.content.body.requestId === first.body.requestId);
    expect(messages).toHaveLength(1);
    expect((await rq.decline(alice, first.body.requestId)).status).toBe(200);
  });

  it('an invoice from a plugin: the payer confirms, the plugin pre-checks, the money goes to its bot, and it hears the result', async () => {
    const merchantBot = await botOf(host, 'merchant');
    const [aliceBefore, botBefore] = [await api.balance(alice), await botBalance(host, merchantBot)];
    const input = invoiceInput();
    const created = await rq.invoice('merchant', input);
    expect(created, JSON.stringify(created)).toMatchObject({ ok: true, value: { requestId: expect.any(String), status: 'open' } });
    const { requestId } = created.value;

    const posted = await rq.message(alice, room.id, requestId);
    expect(posted.senderId).toBe(paymentsBot);
    expect(posted.content.body).toEqual({
      requestId, kind: 'invoice', payerId: alice.id, payeeId: merchantBot, pluginId: 'merchant', amountMinor: 700, currency: 'EUR',
      description: 'Order: 2 × Widget', lines: input.lines, status: 'open', reason: null, expiresAt: expect.stringMatching(ISO),
    });
    expect((await rq.records('merchant')).preCheckout.filter((r) => r.input.requestId === requestId)).toEqual([]);

    const paid = await rq.pay(alice, requestId);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({ requestId, kind: 'invoice', status: 'paid', payeeId: merchantBot, pluginId: 'merchant' });
    expect(await api.balance(alice)).toBe(aliceBefore - 700);
    expect(await botBalance(host, merchantBot)).toBe(botBefore + 700);

    const asked = (await rq.records('merchant')).preCheckout.filter((r) => r.input.requestId === requestId);
    expect(asked).toEqual([{ caller: { pluginId: 'payments' }, input: { requestId, payerId: alice.id, amountMinor: 700, currency: 'EUR', lines: input.lines } }]);
    expect(await rq.resultFor('merchant', requestId)).toEqual([{ caller: { pluginId: 'payments' }, input: { requestId, status: 'paid' } }]);
    expect((await rq.message(alice, room.id, requestId)).content.body.status).toBe('paid');
    // Paying again asks nobody and charges nothing.
    expect((await rq.pay(alice, requestId)).body.error.code).toBe('request_not_open');
    expect((await rq.records('merchant')).preCheckout.filter((r) => r.input.requestId === requestId)).toHaveLength(1);
    expect(await api.balance(alice)).toBe(aliceBefore - 700);
  });

  it('payments.request is idempotent per caller and key: the same input gets the same request, another input is refused', async () => {
    const input = invoiceInput();
    const first = await rq.invoice('merchant', input);
    const again = await rq.invoice('merchant', input);
    expect(first.ok && again.ok, JSON.stringify([first, again])).toBe(true);
    expect(again.value).toEqual({ requestId: first.value.requestId, status: 'open' });
    const changed = await rq.invoice('merchant', { ...input, amountMinor: 350, lines: [{ ...input.lines[0], qty: 1, lineMinor: 350 }] });
    expect(changed).toMatchObject({ ok: false, code: 'invalid_request', details: [{ path: '/code', message: 'idempotency_conflict' }] });
    // The key is the caller's own: another plugin's use of it is another request.
    const elsewhere = await rq.invoice('merchant-other', input);
    expect(elsewhere.ok).toBe(true);
    expect(elsewhere.value.requestId).not.toBe(first.value.requestId);
    expect((await rq.get(alice, elsewhere.value.requestId)).payeeId).toBe(await botOf(host, 'merchant-other'));
    const messages = (await fullHistory(host.url, alice.token, room.id)).filter((m) => m.content?.type === 'payments.request' && m.content.body.requestId === first.value.requestId);
    expect(messages).toHaveLength(1);
    for (const id of [first.value.requestId, elsewhere.value.requestId]) expect((await rq.decline(alice, id)).status).toBe(200);
    expect(await rq.resultFor('merchant', first.value.requestId)).toMatchObject([{ input: { requestId: first.value.requestId, status: 'declined', reason: 'declined by the payer' } }]);
  });

  it('a refused pre-checkout charges nothing and fails the request, and the requester hears it', async () => {
    const aliceBefore = await api.balance(alice);
    const { value: { requestId } } = await rq.invoice('merchant-refuses', invoiceInput());
    const paid = await rq.pay(alice, requestId);
    expect(paid.status, JSON.stringify(paid.body)).toBe(409);
    expect(paid.body.error).toMatchObject({ code: 'precheckout_failed', details: { requestId, status: 'failed', reason: 'precheckout_refused: out of stock' } });
    expect(await api.balance(alice)).toBe(aliceBefore);
    expect(await botBalance(host, await botOf(host, 'merchant-refuses'))).toBe(0);
    expect(await rq.get(alice, requestId)).toMatchObject({ status: 'failed', reason: 'precheckout_refused: out of stock', txId: null });
    expect((await rq.message(alice, room.id, requestId)).content.body).toMatchObject({ status: 'failed', reason: 'precheckout_refused: out of stock' });
    expect(await rq.resultFor('merchant-refuses', requestId)).toMatchObject([{ input: { requestId, status: 'failed', reason: 'precheckout_refused: out of stock' } }]);
    expect((await rq.pay(alice, requestId)).body.error).toMatchObject({ code: 'request_not_open', details: { status: 'failed' } });
  });

  it('a pre-checkout that never answers times out: nothing is charged, the request fails', async () => {
    const aliceBefore = await api.balance(alice);
    const { value: { requestId } } = await rq.invoice('merchant-hangs', invoiceInput());
    const started = Date.now();
    const paid = await rq.pay(alice, requestId);
    const took = Date.now() - started;
    expect(paid.status, JSON.stringify(paid.body)).toBe(409);
    expect(paid.body.error).toMatchObject({ code: 'precheckout_failed', details: { status: 'failed', reason: expect.stringMatching(/^precheckout_timeout: merchant-hangs\.preCheckout did not answer within 400 ms/) } });
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(took).toBeLessThan(5_000);
    expect((await rq.records('merchant-hangs')).preCheckout.filter((r) => r.input.requestId === requestId)).toHaveLength(1);
    expect(await api.balance(alice)).toBe(aliceBefore);
    expect(await botBalance(host, await botOf(host, 'merchant-hangs'))).toBe(0);
    expect((await rq.get(alice, requestId)).status).toBe('failed');
    expect(await rq.resultFor('merchant-hangs', requestId)).toMatchObject([{ input: { requestId, status: 'failed' } }]);
  });

  it('a pre-checkout that fails, or that payments may not call, charges nothing', async () => {
    const aliceBefore = await api.balance(alice);
    const broken = await rq.invoice('merchant-breaks', invoiceInput());
    const a = await rq.pay(alice, broken.value.requestId);
    expect(a.body.error).toMatchObject({ code: 'precheckout_failed', details: { reason: 'precheckout_error: plugin_failed' } });
    // The operator did not list merchant-unlisted's callbacks in payments' services.call scope.
    const unlisted = await rq.invoice('merchant-unlisted', invoiceInput());
    expect(unlisted.ok, JSON.stringify(unlisted)).toBe(true);
    const b = await rq.pay(alice, unlisted.value.requestId);
    expect(b.body.error).toMatchObject({ code: 'precheckout_failed', details: { reason: 'precheckout_error: permission_denied' } });
    expect((await rq.records('merchant-unlisted')).preCheckout).toEqual([]);
    expect(await api.balance(alice)).toBe(aliceBefore);
  });

  it('refuses a caller without the services.call grant (permission_denied), and checks what callers send', async () => {
    const before = (await api.call(alice, 'GET', '/requests')).body.incoming.length;
    const denied = await rq.invoice('merchant-nogrant', invoiceInput());
    expect(denied).toMatchObject({ ok: false, code: 'permission_denied' });
    expect((await api.call(alice, 'GET', '/requests')).body.incoming.length).toBe(before);

    const refusals: [Record<string, unknown>, string, string][] = [
      [{ payee: bob.id }, 'invalid_request', 'invalid_payment_request'],
      [{ amountMinor: 701 }, 'invalid_request', 'invalid_payment_request'],
      [{ amountMinor: 0 }, 'invalid_request', 'invalid_amount'],
      [{ currency: 'XXX' }, 'invalid_request', 'unknown_currency'],
      [{ payerId: carol.id }, 'invalid_request', 'conversation_unavailable'],
      [{ payerId: 'nobody' }, 'invalid_request', 'payer_not_found'],
      [{ description: '' }, 'invalid_request', 'invalid_payment_request'],
      [{ amountMinor: 60_000, lines: undefined }, 'forbidden', 'limit_exceeded'],
    ];
    for (const [change, code, paymentsCode] of refusals) {
      const out = await rq.invoice('merchant', invoiceInput(change));
      expect(out, JSON.stringify(change)).toMatchObject({ ok: false, code, details: [{ path: '/code', message: paymentsCode }] });
    }
    // Naming its own bot as payee is allowed.
    const own = await rq.invoice('merchant', invoiceInput({ payee: '@merchant' }));
    expect(own.ok, JSON.stringify(own)).toBe(true);
    expect((await rq.decline(alice, own.value.requestId)).status).toBe(200);
  });

  it('the shop app checks out through payments: the payer confirms, the shop pre-checks and hears the result', async () => {
    await waitForApp(host, 'shop');
    const shopRoom = await roomWith(host, alice, ['shop', 'payments']);
    const shopBot = await botOf(host, 'shop');
    const command = async (text: string) => {
      const res = await runCommand(host, alice, shopRoom.id, text);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.reply?.text as string;
    };
    await command('/add mug 2');
    await command('/add pin');
    const placed = await command('/checkout');
    const requestId = /^Order placed: payment request ([0-9a-f-]{36}) \(open\) for 22\.30 EUR\. Your cart is empty now\.$/.exec(placed)?.[1];
    expect(requestId, placed).toBeDefined();
    expect((await rq.message(alice, shopRoom.id, requestId!)).content.body).toMatchObject({
      kind: 'invoice', pluginId: 'shop', payeeId: shopBot, amountMinor: 2_230, status: 'open',
      lines: [{ itemId: 'mug', name: 'Mug', qty: 2, unitMinor: 990, lineMinor: 1_980 }, { itemId: 'pin', name: 'Pin badge', qty: 1, unitMinor: 250, lineMinor: 250 }],
    });
    const aliceBefore = await api.balance(alice);
    const paid = await rq.pay(alice, requestId!);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.status).toBe('paid');
    expect(await api.balance(alice)).toBe(aliceBefore - 2_230);
    expect(await botBalance(host, shopBot)).toBe(2_230);
    // The shop's paymentResult arrives by a scheduler job; /checkout of the empty cart then shows it.
    const until = Date.now() + 10_000;
    let text = await command('/checkout');
    while (!text.includes('(paid)') && Date.now() < until) {
      await sleep(50);
      text = await command('/checkout');
    }
    expect(text).toBe(`Your cart is empty. Your last order was payment request ${requestId} (paid) for 22.30 EUR.`);
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
      manifestPath: writeManifest(paymentsManifestWith(callbacksOf(['merchant'])), 'payments'),
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
  afterEach(async () => {
    expect((await api.verify()).problems).toEqual([]);
  });
  afterAll(async () => { await host?.stop(); });

  it('an unpaid request expires: it cannot be paid, its message says so, and an invoicing plugin hears it', async () => {
    const asked = await rq.ask(bob, alice, 300, room.id);
    const invoice = await rq.invoice('merchant', {
      payerId: alice.id, conversationId: room.id, currency: 'EUR', amountMinor: 300, description: 'Later', idempotencyKey: randomUUID(),
    });
    expect(asked.status).toBe(201);
    expect(invoice.ok, JSON.stringify(invoice)).toBe(true);
    await sleep(1_200);
    const late = await rq.pay(alice, asked.body.requestId);
    expect(late.status, JSON.stringify(late.body)).toBe(410);
    expect(late.body.error).toMatchObject({ code: 'request_expired', details: { status: 'expired' } });
    expect((await rq.get(bob, asked.body.requestId)).status).toBe('expired');
    expect((await rq.message(alice, room.id, asked.body.requestId)).content.body.status).toBe('expired');
    expect((await rq.decline(alice, invoice.value.requestId)).body.error.code).toBe('request_expired');
    expect(await rq.resultFor('merchant', invoice.value.requestId)).toMatchObject([{ input: { requestId: invoice.value.requestId, status: 'expired' } }]);
    expect(await api.balance(alice)).toBe(5_000);
    expect((await rq.records('merchant')).preCheckout).toEqual([]);
  });
});
