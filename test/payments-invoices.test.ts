/**
 * Payments: invoices from plugins and apps, end to end over HTTP against real hosts. Plugins
 * invoice through the service payments.request (idempotent per caller and key; a caller without
 * the grant is refused); before charging, payments asks the caller's preCheckout (ok, refused,
 * broken, or never answering: nothing is charged unless it says ok), and tells it how the request
 * ended through its paymentResult. The shipped shop app checks out through the real payments plugin.
 * After every test the ledger verifies and every currency sums to zero.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import { botOf, roomWith, runCommand } from './support/plugin-helpers.js';
import { waitForApp } from './support/sandbox-helpers.js';
import { ISO, SHOP_MANIFEST, botBalance, callbacksOf, merchant, requestsApi } from './support/requests-helpers.js';

describe('payments: invoices from plugins', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let rq: ReturnType<typeof requestsApi>;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let paymentsBot: string;
  let room: { id: string };
  const MERCHANTS = ['merchant', 'merchant-refuses', 'merchant-hangs', 'merchant-breaks', 'merchant-other'];
  // How long an invoicing plugin's preCheckout and paymentResult may take (the production
  // default). It bounds every callback of this host, so it must leave a busy machine room for
  // the answers that do come; only the "never answers" test waits it out.
  const TIMEOUT_MS = 5_000;

  beforeAll(async () => {
    host = await startPaymentsHost({
      // payments asks for "*.preCheckout" and "*.paymentResult"; this operator narrows that to
      // named invoicing plugins, leaving merchant-unlisted's out on purpose.
      grants: { 'services.call': { services: [...callbacksOf(MERCHANTS), ...callbacksOf(['shop'])] } },
      settings: {
        limits: { perTransferMinor: 50_000, dailyMinor: 100_000 },
        requests: { preCheckoutTimeoutMs: TIMEOUT_MS },
      },
      plugins: [
        merchant('merchant'),
        merchant('merchant-other'),
        merchant('merchant-refuses', { preCheckout: 'refuse', refuseReason: 'out of stock' }),
        merchant('merchant-hangs', { preCheckout: 'hang' }),
        merchant('merchant-breaks', { preCheckout: 'throw' }),
        merchant('merchant-unlisted'),
        merchant('merchant-nogrant', {}, { 'services.call': false }),
        {
          path: SHOP_MANIFEST,
          settings: {
            catalog: [
              { id: 'mug', name: 'Mug', priceMinor: 990, currency: 'EUR' },
              { id: 'pin', name: 'Pin badge', priceMinor: 250, currency: 'EUR' },
            ],
          },
        },
      ],
    });
    api = paymentsApi(host);
    rq = requestsApi(host, api);
    [alice, bob, carol] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    paymentsBot = await botOf(host, 'payments');
    room = await roomWith(
      host,
      alice,
      [
        'payments',
        'merchant',
        'merchant-other',
        'merchant-refuses',
        'merchant-hangs',
        'merchant-breaks',
        'merchant-unlisted',
        'merchant-nogrant',
      ],
      [bob],
    );
    await api.setPin(alice);
    await api.setPin(bob);
    expect((await api.topUp(alice, 30_000)).status).toBe(201);
  });
  afterEach(() => api.expectLedgerWhole());
  afterAll(async () => {
    await host?.stop();
  });

  const invoiceInput = (extra: Record<string, unknown> = {}) => ({
    payerId: alice.id,
    conversationId: room.id,
    currency: 'EUR',
    amountMinor: 700,
    description: 'Order: 2 × Widget',
    lines: [{ itemId: 'widget', name: 'Widget', qty: 2, unitMinor: 350, lineMinor: 700 }],
    idempotencyKey: randomUUID(),
    ...extra,
  });

  it('an invoice from a plugin: the payer confirms, the plugin pre-checks, the money goes to its bot, and it hears the result', async () => {
    const merchantBot = await botOf(host, 'merchant');
    const [aliceBefore, botBefore] = [await api.balance(alice), await botBalance(host, merchantBot)];
    const input = invoiceInput();
    const created = await rq.invoice('merchant', input);
    expect(created, JSON.stringify(created)).toMatchObject({
      ok: true,
      value: { requestId: expect.any(String), status: 'open' },
    });
    const { requestId } = created.value;

    const posted = await rq.message(alice, room.id, requestId);
    expect(posted.senderId).toBe(paymentsBot);
    expect(posted.content.body).toEqual({
      requestId,
      kind: 'invoice',
      payerId: alice.id,
      payeeId: merchantBot,
      pluginId: 'merchant',
      amountMinor: 700,
      currency: 'EUR',
      description: 'Order: 2 × Widget',
      lines: input.lines,
      status: 'open',
      reason: null,
      expiresAt: expect.stringMatching(ISO),
    });
    expect((await rq.records('merchant')).preCheckout.filter((r) => r.input.requestId === requestId)).toEqual([]);

    const paid = await rq.pay(alice, requestId);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({
      requestId,
      kind: 'invoice',
      status: 'paid',
      payeeId: merchantBot,
      pluginId: 'merchant',
    });
    expect(await api.balance(alice)).toBe(aliceBefore - 700);
    expect(await botBalance(host, merchantBot)).toBe(botBefore + 700);

    const asked = (await rq.records('merchant')).preCheckout.filter((r) => r.input.requestId === requestId);
    expect(asked).toEqual([
      {
        caller: { pluginId: 'payments' },
        input: { requestId, payerId: alice.id, amountMinor: 700, currency: 'EUR', lines: input.lines },
      },
    ]);
    expect(await rq.resultFor('merchant', requestId)).toEqual([
      { caller: { pluginId: 'payments' }, input: { requestId, status: 'paid' } },
    ]);
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
    const changed = await rq.invoice('merchant', {
      ...input,
      amountMinor: 350,
      lines: [{ ...input.lines[0], qty: 1, lineMinor: 350 }],
    });
    expect(changed).toMatchObject({ ok: false, name: 'PluginError', code: 'idempotency_conflict', status: 409 });
    // The key is the caller's own: another plugin's use of it is another request.
    const elsewhere = await rq.invoice('merchant-other', input);
    expect(elsewhere.ok).toBe(true);
    expect(elsewhere.value.requestId).not.toBe(first.value.requestId);
    expect((await rq.get(alice, elsewhere.value.requestId)).payeeId).toBe(await botOf(host, 'merchant-other'));
    const messages = (await fullHistory(host.url, alice.token, room.id)).filter(
      (m) => m.content?.type === 'payments.request' && m.content.body.requestId === first.value.requestId,
    );
    expect(messages).toHaveLength(1);
    for (const id of [first.value.requestId, elsewhere.value.requestId])
      expect((await rq.decline(alice, id)).status).toBe(200);
    expect(await rq.resultFor('merchant', first.value.requestId)).toMatchObject([
      { input: { requestId: first.value.requestId, status: 'declined', reason: 'declined by the payer' } },
    ]);
  });

  it('a refused pre-checkout charges nothing and fails the request, and the requester hears it', async () => {
    const aliceBefore = await api.balance(alice);
    const {
      value: { requestId },
    } = await rq.invoice('merchant-refuses', invoiceInput());
    const paid = await rq.pay(alice, requestId);
    expect(paid.status, JSON.stringify(paid.body)).toBe(409);
    expect(paid.body.error).toMatchObject({
      code: 'precheckout_failed',
      details: { requestId, status: 'failed', reason: 'precheckout_refused: out of stock' },
    });
    expect(await api.balance(alice)).toBe(aliceBefore);
    expect(await botBalance(host, await botOf(host, 'merchant-refuses'))).toBe(0);
    expect(await rq.get(alice, requestId)).toMatchObject({
      status: 'failed',
      reason: 'precheckout_refused: out of stock',
      txId: null,
    });
    expect((await rq.message(alice, room.id, requestId)).content.body).toMatchObject({
      status: 'failed',
      reason: 'precheckout_refused: out of stock',
    });
    expect(await rq.resultFor('merchant-refuses', requestId)).toMatchObject([
      { input: { requestId, status: 'failed', reason: 'precheckout_refused: out of stock' } },
    ]);
    expect((await rq.pay(alice, requestId)).body.error).toMatchObject({
      code: 'request_not_open',
      details: { status: 'failed' },
    });
  });

  it('a pre-checkout that never answers times out: nothing is charged, the request fails', async () => {
    const aliceBefore = await api.balance(alice);
    const {
      value: { requestId },
    } = await rq.invoice('merchant-hangs', invoiceInput());
    const started = Date.now();
    const paid = await rq.pay(alice, requestId);
    const took = Date.now() - started;
    expect(paid.status, JSON.stringify(paid.body)).toBe(409);
    expect(paid.body.error).toMatchObject({
      code: 'precheckout_failed',
      details: {
        status: 'failed',
        reason: expect.stringMatching(
          new RegExp(`^precheckout_timeout: merchant-hangs\\.preCheckout did not answer within ${TIMEOUT_MS} ms`),
        ),
      },
    });
    // It waited for the answer as long as allowed (a slow machine only makes that longer); that
    // it then gave up rather than hanging is the outcome above, not a clock reading.
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(
      (await rq.records('merchant-hangs')).preCheckout.filter((r) => r.input.requestId === requestId),
    ).toHaveLength(1);
    expect(await api.balance(alice)).toBe(aliceBefore);
    expect(await botBalance(host, await botOf(host, 'merchant-hangs'))).toBe(0);
    expect((await rq.get(alice, requestId)).status).toBe('failed');
    expect(await rq.resultFor('merchant-hangs', requestId)).toMatchObject([{ input: { requestId, status: 'failed' } }]);
  });

  it('a pre-checkout that fails, or that payments may not call, charges nothing', async () => {
    const aliceBefore = await api.balance(alice);
    const broken = await rq.invoice('merchant-breaks', invoiceInput());
    const a = await rq.pay(alice, broken.value.requestId);
    expect(a.body.error).toMatchObject({
      code: 'precheckout_failed',
      details: { reason: 'precheckout_error: plugin_failed' },
    });
    // The operator did not list merchant-unlisted's callbacks in payments' services.call scope.
    const unlisted = await rq.invoice('merchant-unlisted', invoiceInput());
    expect(unlisted.ok, JSON.stringify(unlisted)).toBe(true);
    const b = await rq.pay(alice, unlisted.value.requestId);
    expect(b.body.error).toMatchObject({
      code: 'precheckout_failed',
      details: { reason: 'precheckout_error: permission_denied' },
    });
    expect((await rq.records('merchant-unlisted')).preCheckout).toEqual([]);
    expect(await api.balance(alice)).toBe(aliceBefore);
  });

  it('refuses a caller without the services.call grant (permission_denied), and checks what callers send', async () => {
    const before = (await api.call(alice, 'GET', '/requests')).body.incoming.length;
    const denied = await rq.invoice('merchant-nogrant', invoiceInput());
    expect(denied).toMatchObject({ ok: false, code: 'permission_denied' });
    expect((await api.call(alice, 'GET', '/requests')).body.incoming.length).toBe(before);

    // Each refusal reaches the caller with the PaymentError's own code and status.
    const refusals: [Record<string, unknown>, string, number][] = [
      [{ payee: bob.id }, 'invalid_payment_request', 400],
      [{ amountMinor: 701 }, 'invalid_payment_request', 400],
      [{ amountMinor: 0 }, 'invalid_amount', 400],
      [{ currency: 'XXX' }, 'unknown_currency', 400],
      [{ payerId: carol.id }, 'conversation_unavailable', 404],
      [{ payerId: 'nobody' }, 'payer_not_found', 404],
      [{ description: '' }, 'invalid_payment_request', 400],
      [{ amountMinor: 60_000, lines: undefined }, 'limit_exceeded', 403],
    ];
    for (const [change, code, status] of refusals) {
      const out = await rq.invoice('merchant', invoiceInput(change));
      expect(out, JSON.stringify(change)).toMatchObject({ ok: false, name: 'PluginError', code, status });
    }
    // A field payments does not know is refused, never ignored: in the input and in a line.
    const typo = await rq.invoice('merchant', invoiceInput({ memo: 'for the widgets' }));
    expect(typo).toMatchObject({ ok: false, code: 'invalid_payment_request', status: 400 });
    expect(typo.message).toContain('"memo"');
    const lineTypo = await rq.invoice(
      'merchant',
      invoiceInput({ lines: [{ name: 'Widget', qty: 2, unitMinor: 350, lineMinor: 700, price: 350 }] }),
    );
    expect(lineTypo).toMatchObject({ ok: false, code: 'invalid_payment_request', status: 400 });
    expect(lineTypo.message).toContain('lines[0]');
    expect((await api.call(alice, 'GET', '/requests')).body.incoming.length).toBe(before);
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
    const requestId =
      /^Order placed: payment request ([0-9a-f-]{36}) \(open\) for 22\.30 EUR\. Your cart is empty now\.$/.exec(
        placed,
      )?.[1];
    expect(requestId, placed).toBeDefined();
    expect((await rq.message(alice, shopRoom.id, requestId!)).content.body).toMatchObject({
      kind: 'invoice',
      pluginId: 'shop',
      payeeId: shopBot,
      amountMinor: 2_230,
      status: 'open',
      lines: [
        { itemId: 'mug', name: 'Mug', qty: 2, unitMinor: 990, lineMinor: 1_980 },
        { itemId: 'pin', name: 'Pin badge', qty: 1, unitMinor: 250, lineMinor: 250 },
      ],
    });
    const aliceBefore = await api.balance(alice);
    const paid = await rq.pay(alice, requestId!);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.status).toBe('paid');
    expect(await api.balance(alice)).toBe(aliceBefore - 2_230);
    expect(await botBalance(host, shopBot)).toBe(2_230);
    // The shop's paymentResult arrives by a scheduler job; /checkout of the empty cart then shows it.
    const text = await eventually(
      async () => {
        const t = await command('/checkout');
        return t.includes('(paid)') && t;
      },
      { intervalMs: 50, what: 'the shop to hear the payment result' },
    );
    expect(text).toBe(`Your cart is empty. Your last order was payment request ${requestId} (paid) for 22.30 EUR.`);
  });
});
