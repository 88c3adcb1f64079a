/**
 * The web client's money screen (/money), in real Chromium against a host with the payments
 * plugin: balances, sending money to a handle with the PIN (a fresh idempotency key per attempt),
 * refusals in words (a wrong PIN, too little money), setting and changing the PIN, paying and
 * declining the requests asked of me, and no serious accessibility violation.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing, launchBrowser, type BrowserHandle } from './support/browser.js';
import { eventually } from './support/eventually.js';
import { PIN, paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import { roomWith } from './support/plugin-helpers.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { openAs, type ChatPage } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: the money screen', { timeout: 120_000 }, () => {
  let host: TestHost;
  let browser: BrowserHandle;
  let api: PaymentsApi;

  beforeAll(async () => {
    [host, browser] = await Promise.all([startPaymentsHost(), launchBrowser()]);
    api = paymentsApi(host);
  });
  afterEach(() => api.expectLedgerWhole());
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  /** A person with a PIN and `euros` on their wallet. */
  async function funded(displayName: string, minor: number): Promise<TestUser> {
    const user = await host.createUser({ displayName });
    await api.setPin(user);
    if (minor > 0) expect((await api.topUp(user, minor)).status).toBe(201);
    return user;
  }

  async function openMoney(user: TestUser): Promise<ChatPage> {
    const opened = await openAs(browser, host, user, { locale: 'en-US' });
    await opened.page.getByRole('banner').getByRole('link', { name: 'Money' }).click();
    await opened.page.waitForURL(`${host.url}/money`);
    await opened.page.getByRole('heading', { name: 'Money', level: 1 }).waitFor();
    return opened;
  }

  const region = (page: Page, name: string) => page.getByRole('region', { name });
  const alertWith = (page: Page, text: string) => page.getByRole('alert').filter({ hasText: text });

  it('sends money to a handle with the PIN; each attempt is its own transfer; refusals are sentences', async () => {
    const ada = await funded('Ada Lovelace', 5_000);
    const bob = await funded('Bob Babbage', 0);
    const { page, problems } = await openMoney(ada);
    await region(page, 'Balance').getByText('€50.00').waitFor();

    const send = region(page, 'Send money');
    const fill = async (amount: string, pin: string) => {
      await send.getByLabel('To (handle)').fill(`@${bob.handle}`);
      await send.getByLabel('Amount').fill(amount);
      await send.getByLabel('Note (optional)').fill('lunch');
      await send.getByLabel('PIN', { exact: true }).fill(pin);
      await send.getByRole('button', { name: 'Send' }).click();
    };

    await fill('12.50', PIN);
    await send
      .getByRole('status')
      .filter({ hasText: `You sent €12.50 to @${bob.handle}.` })
      .waitFor();
    await region(page, 'Balance').getByText('€37.50').waitFor();
    const history = region(page, 'History');
    await history.getByText('To Bob Babbage').waitFor();
    expect(await history.getByText('-€12.50').count()).toBe(1);
    await history.getByText('lunch').waitFor();
    expect(await api.balance(bob)).toBe(1_250);
    // The form is empty again, the PIN above all.
    expect(await send.getByLabel('PIN', { exact: true }).inputValue()).toBe('');

    // The same amount again is a new payment (a fresh idempotency key), not a replay of the first.
    await fill('12.50', PIN);
    await region(page, 'Balance').getByText('€25.00').waitFor();
    expect(await api.balance(bob)).toBe(2_500);

    await fill('1', '9999');
    await alertWith(page, 'That PIN is wrong. Attempts left: 4.').waitFor();
    await fill('1000', PIN);
    await alertWith(page, 'Your balance does not cover this amount.').waitFor();
    await fill('1.234', PIN);
    await send.getByText('Enter an amount above zero, with at most 2 decimals, such as 12.50.').waitFor();
    expect(await api.balance(ada)).toBe(2_500);
    expect(await page.content()).not.toMatch(/pin_invalid|insufficient_funds/);
    expect(problems.cspViolations).toEqual([]);
  });

  it('sends again under the same key when the answer was lost, so the money moves once', async () => {
    const ada = await funded('Ada Again', 2_000);
    const bob = await funded('Bob Again', 0);
    const { page } = await openMoney(ada);
    const keys: string[] = [];
    // The host gets the first request and pays; only its answer never reaches the page.
    await page.route('**/plugins/payments/transfers', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      keys.push((route.request().postDataJSON() as { idempotencyKey: string }).idempotencyKey);
      if (keys.length > 1) return route.continue();
      await route.fetch();
      await route.abort('failed');
    });
    const send = region(page, 'Send money');
    await send.getByLabel('To (handle)').fill(bob.handle);
    await send.getByLabel('Amount').fill('5');
    await send.getByLabel('PIN', { exact: true }).fill(PIN);
    await send.getByRole('button', { name: 'Send' }).click();
    await alertWith(page, 'The host cannot be reached.').waitFor();
    expect(await api.balance(bob)).toBe(500);

    await send.getByLabel('PIN', { exact: true }).fill(PIN);
    await send.getByRole('button', { name: 'Send' }).click();
    await send
      .getByRole('status')
      .filter({ hasText: `You sent €5.00 to @${bob.handle}.` })
      .waitFor();
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(await api.balance(bob)).toBe(500);
    await region(page, 'Balance').getByText('€15.00').waitFor();
  });

  it('sets a PIN, and asks for the current one to change it', async () => {
    const carol = await host.createUser({ displayName: 'Carol Shaw' });
    const { page } = await openMoney(carol);
    const pin = region(page, 'PIN');
    await pin.getByLabel('New PIN').fill('123');
    await pin.getByRole('button', { name: 'Save the PIN' }).click();
    await eventually(async () => (await pin.getByLabel('New PIN').getAttribute('aria-invalid')) === 'true', {
      what: 'the short PIN to be marked invalid',
    });

    await pin.getByLabel('New PIN').fill('2468');
    await pin.getByRole('button', { name: 'Save the PIN' }).click();
    await pin.getByRole('status').filter({ hasText: 'Your PIN is saved.' }).waitFor();
    // The host holds it: a payment with it gets past the PIN (and stops at the empty wallet).
    const tried = await api.call(carol, 'POST', '/transfers', {
      to: (await host.createUser()).id,
      amountMinor: 1,
      currency: 'EUR',
      pin: '2468',
      idempotencyKey: randomUUID(),
    });
    expect(tried.body.error.code).toBe('insufficient_funds');

    await pin.getByLabel('New PIN').fill('1357');
    await pin.getByRole('button', { name: 'Save the PIN' }).click();
    await alertWith(page, 'You already have a PIN: enter it as your current PIN to change it.').waitFor();
    await pin.getByLabel('New PIN').fill('1357');
    await pin.getByLabel('Current PIN').fill('2468');
    await pin.getByRole('button', { name: 'Save the PIN' }).click();
    await pin.getByRole('status').filter({ hasText: 'Your PIN is saved.' }).waitFor();
  });

  it('pays a request asked of me with the PIN, declines another, and has no serious axe violation', async () => {
    const dan = await funded('Dan Ingalls', 3_000);
    const eve = await funded('Eve Online', 0);
    const room = await roomWith(host, eve, ['payments'], [dan]);
    const ask = async (amountMinor: number, note: string) => {
      const res = await api.call(eve, 'POST', '/requests', {
        from: dan.id,
        amountMinor,
        currency: 'EUR',
        conversationId: room.id,
        note,
        idempotencyKey: randomUUID(),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.requestId as string;
    };
    const paid = await ask(1_000, 'concert tickets');
    const declined = await ask(700, 'parking');

    const { page } = await openMoney(dan);
    const requests = region(page, 'Asked of you');
    const card = (text: string) => requests.getByRole('listitem').filter({ hasText: text });
    await card('concert tickets').getByText('Eve Online asks you for €10.00').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    await card('concert tickets').getByRole('button', { name: 'Pay', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Pay €10.00 to Eve Online' });
    await dialog.getByLabel('PIN').fill('0000');
    await dialog.getByRole('button', { name: 'Pay €10.00' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'That PIN is wrong.' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await dialog.getByLabel('PIN').fill(PIN);
    await dialog.getByRole('button', { name: 'Pay €10.00' }).click();
    await dialog.waitFor({ state: 'detached' });
    await card('concert tickets').waitFor({ state: 'detached' });
    await region(page, 'Balance').getByText('€20.00').waitFor();
    expect((await api.call(dan, 'GET', `/requests/${paid}`)).body.status).toBe('paid');
    expect(await api.balance(eve)).toBe(1_000);

    await card('parking').getByRole('button', { name: 'Decline' }).click();
    await card('parking').waitFor({ state: 'detached' });
    await requests.getByText('No one is asking you for money.').waitFor();
    expect((await api.call(dan, 'GET', `/requests/${declined}`)).body.status).toBe('declined');
    // Declining moved no money: the request has settled, so the balance is final here.
    expect(await api.balance(dan)).toBe(2_000);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
