/**
 * The operator console's businesses and records, in real Chromium against a host with payments
 * and business chat: registering a business with its first admin by handle and verifying it,
 * filtering the audit log, verifying the payments ledger with the reports (a tampered one names
 * the altered posting), and replaying a webhook dead letter. No serious axe violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing, launchBrowser, watchPageProblems, type BrowserHandle } from './support/browser.js';
import { businessApi, startBusinessHost } from './support/business-helpers.js';
import { eventually } from './support/eventually.js';
import { paymentsApi } from './support/payments-helpers.js';
import type { TestHost } from './support/start-test-host.js';
import { openDirect } from './support/test-database.js';
import { WebhookReceiver } from './support/webhook-receiver.js';
import { openAdminConsole, openSection, region } from './support/web-admin.js';

/** The payments plugin's postings table, as its migrations name it. */
const POSTINGS = 'p_payments__postings';

describe.skipIf(chromiumMissing)(
  'web client: the operator console, businesses and records',
  { timeout: 120_000 },
  () => {
    let host: TestHost;
    let browser: BrowserHandle;
    let receiver: WebhookReceiver;

    beforeAll(async () => {
      receiver = await new WebhookReceiver().start();
      [host, browser] = await Promise.all([startBusinessHost({ payments: true }), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await host?.stop();
      await receiver?.stop();
    });

    async function section(name: string) {
      const page = await browser.newPage({ locale: 'en-US' });
      const problems = await watchPageProblems(page);
      await openAdminConsole(page, host.url, host.adminToken);
      return { page, problems, panel: await openSection(page, name) };
    }

    it('registers a business with its first admin by handle, and verifies it', async () => {
      const owner = await host.createUser({ displayName: 'Shoe Owner' });
      const { page, panel } = await section('Businesses');
      const register = region(panel, 'Register a business');
      await register.getByLabel('Name').fill('Acme Shoes');
      await register.getByLabel('About (optional)').fill('Shoes for everyone.');
      await register.getByLabel('First admin (handle)').fill('@nobody-here');
      await register.getByRole('button', { name: 'Register the business' }).click();
      await register.getByRole('alert').filter({ hasText: 'No account has the handle @nobody-here.' }).waitFor();

      await register.getByLabel('First admin (handle)').fill(`@${owner.handle}`);
      await register.getByRole('button', { name: 'Register the business' }).click();
      const list = region(panel, 'Businesses');
      await list.getByRole('status').filter({ hasText: 'Acme Shoes is registered.' }).waitFor();
      const row = list.getByRole('row').filter({ hasText: 'Acme Shoes' });
      await row.getByRole('cell', { name: 'No', exact: true }).waitFor();
      const business = (await businessApi(host).call('admin', 'GET', '/admin/businesses')).body.businesses.find(
        (b: { name: string }) => b.name === 'Acme Shoes',
      );
      expect(business).toMatchObject({ about: 'Shoes for everyone.', verified: false });
      // The owner named by handle is the business's first admin.
      expect((await businessApi(host).call(owner, 'GET', `/businesses/${business.id}/settings`)).status).toBe(200);

      await row.getByRole('button', { name: 'Verify Acme Shoes' }).click();
      await list.getByRole('status').filter({ hasText: 'Acme Shoes is verified.' }).waitFor();
      await row.getByRole('cell', { name: 'Yes', exact: true }).waitFor();
      expect((await businessApi(host).call(owner, 'GET', `/businesses/${business.id}`)).body.verified).toBe(true);
      expect(await seriousAxeViolations(page)).toEqual([]);
    });

    it('filters the audit log, verifies the ledger and shows the payments reports', async () => {
      const payments = paymentsApi(host);
      const [ada, bob] = [await host.createUser(), await host.createUser()];
      await payments.setPin(ada);
      expect((await payments.topUp(ada, 5_000)).status).toBe(201);
      expect((await payments.transfer(ada, bob, 1_250)).status).toBe(201);

      const { page, panel, problems } = await section('Records');
      const audit = region(panel, 'Audit log');
      await audit.getByLabel('Plugin').fill('payments');
      await audit.getByLabel('Capability').selectOption('database');
      await audit.getByRole('button', { name: 'Filter' }).click();
      const expected = (
        await host.http('GET', '/v1/admin/audit?pluginId=payments&capability=database&limit=50', { token: 'admin' })
      ).body.entries as { action: string }[];
      expect(expected.length).toBeGreaterThan(0);
      await audit.getByText(`Entries shown: ${expected.length}, newest first`).waitFor();
      const rows = audit.getByRole('row').filter({ has: page.getByRole('cell', { name: 'payments', exact: true }) });
      expect(await rows.count()).toBe(expected.length);
      expect(await audit.getByRole('cell', { name: 'database', exact: true }).count()).toBe(expected.length);
      await audit.getByLabel('Action').fill('no-such-action');
      await audit.getByRole('button', { name: 'Filter' }).click();
      await audit.getByText('No entry matches.').waitFor();

      const ledger = region(panel, 'Payments');
      await ledger.getByRole('button', { name: 'Verify the ledger' }).click();
      const report = await payments.verify();
      await ledger
        .getByRole('status')
        .filter({
          hasText:
            `The ledger is whole: ${(report as { accounts?: number }).accounts} accounts, ` +
            `${report.transactions} transactions and ${report.postings} postings checked.`,
        })
        .waitFor();
      await ledger.getByText('people €50.00, holds €0.00, providers -€50.00; total €0.00').waitFor();
      await ledger.getByText('number 1, sum €12.50').waitFor();
      await ledger.getByText(/^\d+ operations: \d+ agree, 0 pending, 0 disagree\.$/).waitFor();
      expect(problems.all).toEqual([]);
      expect(await seriousAxeViolations(page)).toEqual([]);
    });

    it('replays a webhook dead letter once the receiver is fixed', async () => {
      const api = businessApi(host);
      const owner = await host.createUser();
      const businessId = await api.createBusiness(owner, 'Hooked Shop');
      expect((await api.call(owner, 'PUT', `/businesses/${businessId}/webhook`, { url: receiver.url })).status).toBe(
        200,
      );
      receiver.respond = (d) => (d.body.businessId === businessId && d.body.events[0]?.type !== 'ping' ? 500 : 200);
      const customer = await host.createUser();
      const thread = await api.startThread(customer, businessId);
      await api.customerSays(customer, thread.conversationId, 'anyone there?');
      const dead = await eventually(
        async () =>
          (await api.call('admin', 'GET', `/admin/webhooks?status=dead&businessId=${businessId}`)).body.deliveries[0],
        { timeoutMs: 15_000, what: 'a dead letter' },
      );

      const { page, panel } = await section('Records');
      const letters = region(panel, 'Webhook dead letters');
      const row = letters
        .getByRole('row')
        .filter({ has: page.getByRole('button', { name: `Replay delivery ${dead.deliveryId}` }) });
      await row.getByRole('cell', { name: 'HTTP 500', exact: true }).waitFor();
      receiver.respond = () => 200;
      await row.getByRole('button', { name: `Replay delivery ${dead.deliveryId}` }).click();
      await letters
        .getByRole('status')
        .filter({ hasText: `The delivery to ${receiver.url} is sent again.` })
        .waitFor();
      await eventually(() => receiver.processed.has(dead.deliveryId), { what: 'the replayed delivery' });
      await row.waitFor({ state: 'detached' });
    });

    it('says which posting is wrong when the ledger was changed behind the plugin', async () => {
      const payments = paymentsApi(host);
      const [ada, bob] = [await host.createUser(), await host.createUser()];
      await payments.setPin(ada);
      expect((await payments.topUp(ada, 2_000)).status).toBe(201);
      expect((await payments.transfer(ada, bob, 700)).status).toBe(201);
      // The host keeps its SQLite file to itself: change the row with the host stopped, then start it again.
      const database = host.database;
      await host.stopHostOnly();
      const db = openDirect(database);
      let postingId: number;
      try {
        const target = await db(POSTINGS).where('account', 'like', 'user:%').orderBy('id', 'desc').first();
        postingId = target.id;
        await db(POSTINGS).where({ id: target.id }).increment('amount', 100);
      } finally {
        await db.destroy();
      }
      host = await startBusinessHost({ payments: true, database });

      const { page, panel } = await section('Records');
      const ledger = region(panel, 'Payments');
      await ledger.getByRole('button', { name: 'Verify the ledger' }).click();
      await ledger.getByText(/^The ledger has problems/).waitFor();
      await ledger
        .getByRole('listitem')
        .filter({ hasText: `posting ${postingId} was altered` })
        .waitFor();
      expect(await seriousAxeViolations(page)).toEqual([]);
    });
  },
);
