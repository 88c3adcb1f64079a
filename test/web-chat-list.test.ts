/**
 * The web client's conversation list and starting conversations, in real Chromium against a real
 * host: two people in two browser contexts, each change arriving live (no reload).
 */
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import {
  composer,
  conversationLink,
  conversationNav,
  messageItem,
  openAs,
  postTexts,
  sendText,
  chatSuite,
  adaAndBob,
  adaBobAndCarol,
} from './support/web-chat.js';

describe.skipIf(chromiumMissing)(
  'web chat: the conversation list and starting conversations',
  { timeout: 120_000 },
  () => {
    const suite = chatSuite();

    it('a direct chat started by handle appears live for the other person, with its last message, unread count and presence', async () => {
      const { host, browser } = suite;
      const ada = await host.createUser({ displayName: 'Ada Lovelace' });
      const bob = await host.createUser({ displayName: 'Bob Babbage' });
      const [a, b] = await Promise.all([openAs(browser, host, ada), openAs(browser, host, bob)]);

      await a.page.getByRole('button', { name: 'New chat' }).click();
      await a.page.getByLabel('Their handle').fill(`@${bob.handle}`);
      await a.page.getByRole('button', { name: 'Start chat' }).click();
      await a.page.waitForURL(/\/c\/[0-9a-f-]+$/);
      await a.page.getByRole('heading', { name: 'Bob Babbage', level: 1 }).waitFor();
      await sendText(a.page, 'Hello Bob');
      await messageItem(a.page, 'Hello Bob').getByText('Sending…').waitFor({ state: 'detached' });

      // Bob never reloads: the conversation arrives with its first message.
      const entry = conversationLink(b.page, /Ada Lovelace/);
      await entry.getByText('Hello Bob').waitFor();
      await entry.getByRole('img', { name: '1 unread message' }).waitFor();
      await entry.getByRole('img', { name: 'Online' }).waitFor();
      // Ada's own list shows it as hers, already read.
      const own = conversationLink(a.page, /Bob Babbage/);
      await own.getByText('You: Hello Bob').waitFor();
      expect(await own.getByRole('img', { name: /unread/ }).count()).toBe(0);

      // A second message counts; Ada leaving shows her offline.
      await sendText(a.page, 'Are you there?');
      await entry.getByRole('img', { name: '2 unread messages' }).waitFor();
      await entry.getByText('Are you there?').waitFor();
      await a.page.context().close();
      await entry.getByRole('img', { name: 'Offline' }).waitFor();
      expect(b.problems.all).toEqual([]);
    });

    it('newest activity comes first, and a group someone else creates appears at the top', async () => {
      const { host, browser } = suite;
      const { ada, bob, carol } = await adaBobAndCarol(host);
      const direct = await host.direct(ada, bob);
      await postTexts(host, ada, direct.id, ['first']);
      const b = await openAs(browser, host, bob);
      const links = conversationNav(b.page).getByRole('link');
      await links.first().getByText('first').waitFor();

      await host.createGroup(carol, [bob], 'Weekend plans');
      await links.first().getByText('Weekend plans', { exact: true }).waitFor();
      await links.first().getByText('Carol Shaw created the group “Weekend plans”').waitFor();
      await postTexts(host, ada, direct.id, ['second']);
      await links.first().getByText('second').waitFor();
      expect(await links.nth(1).textContent()).toContain('Weekend plans');
    });

    it('creates a group with members by handle, adds one more, and a member cannot add anyone', async () => {
      const { host, browser } = suite;
      const { ada, bob, carol } = await adaBobAndCarol(host);
      const [a, b, c] = await Promise.all([
        openAs(browser, host, ada),
        openAs(browser, host, bob),
        openAs(browser, host, carol),
      ]);
      await a.page.getByRole('button', { name: 'New group' }).click();
      await a.page.getByLabel('Group name').fill('Analytical society');
      await a.page.getByLabel('Members').fill(`${bob.handle}`);
      await a.page.getByRole('button', { name: 'Create group' }).click();
      await a.page.getByRole('heading', { name: 'Analytical society', level: 1 }).waitFor();
      await a.page.getByText('2 members').waitFor();
      await messageItem(a.page, 'Ada Lovelace created the group “Analytical society”').waitFor();

      await conversationLink(b.page, /Analytical society/).click();
      await b.page.getByRole('heading', { name: 'Analytical society', level: 1 }).waitFor();
      // A plain member sees the group's details, but nothing to add people with.
      await b.page.getByRole('button', { name: 'Group details' }).click();
      await b.page.getByRole('list', { name: 'Members of the group' }).getByText('Ada Lovelace').waitFor();
      expect(await b.page.getByLabel('Handles to add').count()).toBe(0);

      await a.page.getByRole('button', { name: 'Group details' }).click();
      await a.page.getByLabel('Handles to add').fill(carol.handle);
      await a.page.getByRole('button', { name: 'Add', exact: true }).click();
      await messageItem(a.page, 'Ada Lovelace added Carol Shaw').waitFor();
      await a.page.getByText('3 members').waitFor();
      await messageItem(b.page, 'Ada Lovelace added Carol Shaw').waitFor();
      // Carol was not in it a moment ago: it appears in her list without a reload.
      await conversationLink(c.page, /Analytical society/).waitFor();
      await sendText(b.page, 'Welcome, Carol');
      await conversationLink(c.page, /Analytical society/)
        .getByText('Bob Babbage: Welcome, Carol')
        .waitFor();
      await expect(composer(b.page).inputValue()).resolves.toBe('');
    });

    it('a person removed from a group while looking at it is told so, and the group leaves their list', async () => {
      const { host, browser } = suite;
      const ada = await host.createUser({ displayName: 'Ada Lovelace' });
      const bob = await host.createUser({ displayName: 'Bob Babbage' });
      const group = await host.createGroup(ada, [bob], 'Short stay');
      const b = await openAs(browser, host, bob);
      await conversationLink(b.page, /Short stay/).click();
      await b.page.getByRole('heading', { name: 'Short stay', level: 1 }).waitFor();
      const removed = await host.http('DELETE', `/v1/conversations/${group.id}/members/${bob.id}`, {
        token: ada.token,
      });
      expect(removed.status).toBe(204);
      await b.page.getByRole('heading', { name: 'This conversation cannot be opened', level: 1 }).waitFor();
      await b.page
        .getByRole('alert')
        .filter({ hasText: 'This conversation does not exist, or you are not a member of it.' })
        .waitFor();
      await conversationLink(b.page, /Short stay/).waitFor({ state: 'detached' });
    });

    it('shows the chat screens in French', async () => {
      const { host, browser } = suite;
      const { ada, bob, direct } = await adaAndBob(host);
      await postTexts(host, bob, direct.id, ['Bonjour']);
      const { page } = await openAs(browser, host, ada);
      await page.getByLabel('Language').selectOption('fr');
      await page.getByRole('button', { name: 'Nouvelle discussion' }).waitFor();
      await conversationLink(page, /Bob Babbage/)
        .getByRole('img', { name: '1 message non lu' })
        .click();
      await page.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Envoyer' }).waitFor();
      await page.getByRole('button', { name: 'Actions sur le message de Bob Babbage' }).waitFor();
    });

    it('says in words when a handle names no one, or is your own', async () => {
      const { host, browser } = suite;
      const ada = await host.createUser({ displayName: 'Ada Lovelace' });
      const { page } = await openAs(browser, host, ada);
      await page.getByRole('button', { name: 'New chat' }).click();
      await page.getByRole('button', { name: 'Start chat' }).click();
      await page.getByText('Fill in this field.').waitFor();
      await page.getByLabel('Their handle').fill('nobody_by_that_name');
      await page.getByRole('button', { name: 'Start chat' }).click();
      await page.getByRole('alert').filter({ hasText: 'No one has the handle “nobody_by_that_name”.' }).waitFor();
      await page.getByLabel('Their handle').fill(ada.handle);
      await page.getByRole('button', { name: 'Start chat' }).click();
      await page.getByRole('alert').filter({ hasText: 'That is your own handle.' }).waitFor();

      await page.getByRole('button', { name: 'New group' }).click();
      await page.getByLabel('Group name').fill('Nobody here');
      await page.getByLabel('Members').fill('ghost_one, @ghost_two');
      await page.getByRole('button', { name: 'Create group' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: /No one has the handle “ghost_(one|two)”\./ })
        .waitFor();
      expect(page.url()).toBe(`${host.url}/`);
    });

    it('handle fields take no more than a handle can be, and name a text that is not one', async () => {
      const { host, browser } = suite;
      const [ada, bob] = await Promise.all([
        host.createUser({ displayName: 'Ada Lovelace' }),
        host.createUser({ displayName: 'Bob Babbage' }),
      ]);
      const group = await host.createGroup(ada, [], 'Checked handles');
      const { page } = await openAs(browser, host, ada);
      const long = 'a'.repeat(2000);

      // One handle: at most 32 characters and a leading @; the field refuses the rest as it is typed.
      await page.getByRole('button', { name: 'New chat' }).click();
      const handle = page.getByLabel('Their handle');
      await handle.fill(long);
      expect((await handle.inputValue()).length).toBe(33);
      await page.getByRole('button', { name: 'Start chat' }).click();
      await page.getByText(`“${'a'.repeat(32)}…” is not a handle: handles are 3 to 32 letters`).waitFor();
      expect(await handle.getAttribute('aria-invalid')).toBe('true');
      await handle.fill('ada!');
      await page.getByRole('button', { name: 'Start chat' }).click();
      await page.getByText('“ada!” is not a handle').waitFor();
      expect(page.url()).toBe(`${host.url}/`);

      // Several handles: each is checked, and none is added while one is wrong.
      await page.goto(`${host.url}/c/${group.id}`);
      await page.getByRole('button', { name: 'Group details' }).click();
      const handles = page.getByLabel('Handles to add');
      await handles.fill(long);
      expect((await handles.inputValue()).length).toBeLessThan(2000);
      await handles.fill(`${bob.handle}, ${'b'.repeat(33)}`);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByText(`“${'b'.repeat(32)}…” is not a handle`).waitFor();
      const many = Array.from({ length: 51 }, (_, i) => `person_${i}`).join(' ');
      await handles.fill(many);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByText('Enter at most 50 handles at a time.').waitFor();
      const listed = await host.http('GET', `/v1/conversations/${group.id}/members`, { token: ada.token });
      expect(listed.body.members.map((m: { userId: string }) => m.userId)).toEqual([ada.id]);
    });
  },
);
