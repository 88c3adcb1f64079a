/**
 * Payments in the web client's conversations, in real Chromium: a transfer told in words from
 * where each reader stands; a payment request paid with the PIN in the page (a wrong PIN first),
 * its message turning to paid for both people and the balances moving; a request declined; an
 * invoice with its lines; the payments bot's slash commands listed with their arguments and run.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing, launchBrowser, type BrowserHandle } from './support/browser.js';
import { PIN, paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import { roomWith } from './support/plugin-helpers.js';
import { callbacksOf, merchant, requestsApi } from './support/requests-helpers.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { composer, messageItem, openAs, openConversation, type ChatPage } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: payments in conversations', { timeout: 150_000 }, () => {
  let host: TestHost;
  let browser: BrowserHandle;
  let api: PaymentsApi;
  let rq: ReturnType<typeof requestsApi>;
  let ada: TestUser;
  let bob: TestUser;
  let room: { id: string };
  let ada$: ChatPage;
  let adaPage: Page;
  let bobPage: Page;

  beforeAll(async () => {
    [host, browser] = await Promise.all([
      startPaymentsHost({
        grants: { 'services.call': { services: callbacksOf(['merchant']) } },
        plugins: [merchant('merchant')],
      }),
      launchBrowser(),
    ]);
    api = paymentsApi(host);
    rq = requestsApi(host, api);
    ada = await host.createUser({ displayName: 'Ada Lovelace' });
    bob = await host.createUser({ displayName: 'Bob Babbage' });
    room = await roomWith(host, bob, ['payments', 'merchant'], [ada]);
    await api.setPin(ada);
    await api.setPin(bob);
    expect((await api.topUp(ada, 10_000)).status).toBe(201);
    let bob$: ChatPage;
    [ada$, bob$] = await Promise.all([openRoom(ada), openRoom(bob)]);
    [adaPage, bobPage] = [ada$.page, bob$.page];
  });
  afterEach(() => api.expectLedgerWhole());
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  async function openRoom(user: TestUser): Promise<ChatPage> {
    const opened = await openAs(browser, host, user, { locale: 'en-US' });
    await openConversation(opened.page, host, room.id);
    return opened;
  }

  it('tells a transfer from where each reader stands', async () => {
    const sent = await api.transfer(ada, bob, 300, { conversationId: room.id, note: 'coffee' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    await messageItem(adaPage, 'You sent Bob Babbage €3.00 — coffee').waitFor();
    await messageItem(bobPage, 'Ada Lovelace sent you €3.00 — coffee').waitFor();
  });

  it('the payer pays a request with the PIN in the page: the message shows paid to both, and the money moves', async () => {
    const [adaBefore, bobBefore] = [await api.balance(ada), await api.balance(bob)];
    const asked = await rq.ask(bob, ada, 1_500, room.id, { note: 'pizza' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);

    const mine = messageItem(bobPage, 'You asked Ada Lovelace for €15.00');
    await mine.getByText('Waiting for payment.').waitFor();
    expect(await mine.getByRole('button', { name: 'Pay', exact: true }).count()).toBe(0);

    const request = messageItem(adaPage, 'Bob Babbage asks you for €15.00');
    await request.getByText('pizza').waitFor();
    await request.getByRole('button', { name: 'Pay', exact: true }).click();
    const dialog = adaPage.getByRole('dialog', { name: 'Pay €15.00 to Bob Babbage' });
    await dialog.getByLabel('PIN').fill('9999');
    await dialog.getByRole('button', { name: 'Pay €15.00' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'That PIN is wrong. Attempts left: 4.' }).waitFor();
    expect(await dialog.getByLabel('PIN').inputValue()).toBe('');
    expect(await api.balance(ada)).toBe(adaBefore);

    await dialog.getByLabel('PIN').fill(PIN);
    await dialog.getByRole('button', { name: 'Pay €15.00' }).click();
    await dialog.waitFor({ state: 'detached' });
    await request.getByText('Paid.').waitFor();
    expect(await request.getByRole('button', { name: 'Pay', exact: true }).count()).toBe(0);
    // The payments bot edited the message: Bob's page follows it live.
    await mine.getByText('Paid.').waitFor();
    expect(await api.balance(ada)).toBe(adaBefore - 1_500);
    expect(await api.balance(bob)).toBe(bobBefore + 1_500);
    expect((await rq.get(ada, asked.body.requestId)).status).toBe('paid');
    expect(ada$.problems.cspViolations).toEqual([]);
  });

  it('the payer declines a request; an invoice shows its lines; no serious axe violation', async () => {
    const asked = await rq.ask(bob, ada, 800, room.id, { note: 'cinema' });
    const request = messageItem(adaPage, 'cinema');
    await request.getByRole('button', { name: 'Decline' }).click();
    await request.getByText('Declined.').waitFor();
    await messageItem(bobPage, 'cinema').getByText('Declined.').waitFor();
    expect((await rq.get(ada, asked.body.requestId)).status).toBe('declined');

    const invoiced = await rq.invoice('merchant', {
      payerId: ada.id,
      conversationId: room.id,
      currency: 'EUR',
      amountMinor: 2_230,
      description: 'Shop order: 2 × Mug, 1 × Pin badge',
      lines: [
        { itemId: 'mug', name: 'Mug', qty: 2, unitMinor: 990, lineMinor: 1_980 },
        { itemId: 'pin', name: 'Pin badge', qty: 1, unitMinor: 250, lineMinor: 250 },
      ],
      idempotencyKey: randomUUID(),
    });
    expect(invoiced.ok, JSON.stringify(invoiced)).toBe(true);
    const invoice = messageItem(adaPage, 'Shop order: 2 × Mug, 1 × Pin badge');
    await invoice.getByText('Invoice', { exact: true }).waitFor();
    const rows = invoice.getByRole('table').getByRole('row');
    await rows.filter({ hasText: 'Mug' }).waitFor();
    expect(await rows.allInnerTexts()).toEqual([
      expect.stringMatching(/Item\s+Quantity\s+Amount/),
      expect.stringMatching(/Mug\s+2 × €9\.90\s+€19\.80/),
      expect.stringMatching(/Pin badge\s+1 × €2\.50\s+€2\.50/),
    ]);
    expect(await seriousAxeViolations(adaPage)).toEqual([]);
  });

  it("lists the payments bot's commands with their arguments, and runs one", async () => {
    const field = composer(adaPage);
    await field.fill('/');
    const list = adaPage.getByRole('listbox', { name: 'Commands' });
    const pay = list.getByRole('option').filter({ hasText: '/pay <to> <amount> <currency> <pin> [note]' });
    await pay.getByText(/^Sends money/).waitFor();
    await field.pressSequentially('bal');
    // Each key is answered by the list's next render, which may come after the key press returns.
    await eventually(
      async () => {
        expect(await list.getByRole('option').allInnerTexts()).toEqual([expect.stringContaining('/balance')]);
        return true;
      },
      { what: 'only /balance listed' },
    );
    await field.press('Enter');
    await eventually(async () => (await field.inputValue()) === '/balance ', { what: 'the command picked' });
    // Its answer is shown to Ada only.
    await field.press('Enter');
    await adaPage.getByText(`${((await api.balance(ada)) / 100).toFixed(2)} EUR`, { exact: true }).waitFor();
    expect(await field.inputValue()).toBe('');
  });
});
