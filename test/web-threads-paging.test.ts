/**
 * The Threads view pages like the host's list: it shows the 100 threads followed last, and
 * "Show more threads" brings the next page, until every followed thread is shown.
 */
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { chatSuite, openAs } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: threads view paging', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('shows a page of followed threads, then the rest on "Show more threads"', async () => {
    const { host, browser } = suite;
    const [ada, bob] = await Promise.all([
      host.createUser({ displayName: 'Ada Lovelace' }),
      host.createUser({ displayName: 'Bob Babbage' }),
    ]);
    const group = await host.createGroup(bob, [ada], 'Night shift');
    // Ada follows 101 threads by replying to each of Bob's roots, Root 0 first.
    for (let i = 0; i < 101; i++) {
      const root = await host.http('POST', `/v1/conversations/${group.id}/messages`, {
        token: bob.token,
        body: { clientMsgId: `root-${i}`, content: { type: 'text', text: `Root ${i}` } },
      });
      expect(root.status).toBe(201);
      const reply = await host.http('POST', `/v1/conversations/${group.id}/messages`, {
        token: ada.token,
        body: {
          clientMsgId: `reply-${i}`,
          content: { type: 'text', text: `Reply ${i}` },
          threadRootId: root.body.message.id,
        },
      });
      expect(reply.status).toBe(201);
    }

    const { page } = await openAs(browser, host, ada);
    await page.getByRole('link', { name: 'Threads', exact: true }).click();
    const list = page.getByRole('list', { name: 'Threads you follow' });
    const more = page.getByRole('button', { name: 'Show more threads' });
    await more.waitFor();
    // Most recently followed first: the first page ends at Root 1; Root 0 is on the next.
    expect(await list.getByRole('listitem').count()).toBe(100);
    expect(await list.getByText(/Root 100$/).count()).toBe(1);
    expect(await list.getByText(/Root 0$/).count()).toBe(0);

    await more.click();
    await list.getByText(/Root 0$/).waitFor();
    expect(await list.getByRole('listitem').count()).toBe(101);
    await more.waitFor({ state: 'detached' });
  });
});
