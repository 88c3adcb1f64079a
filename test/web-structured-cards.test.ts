/**
 * The web client's structured messages from plugin bots, in real Chromium: an interactive card's
 * buttons and quick replies tapped back to the plugin (its private reply shown, its edit of the
 * card followed live, a failure in words), a plugin's own type with buttons, an unknown type and an
 * unsafe URL, system messages in words, and the slash-command picker (listing with usage, keyboard
 * selection, running a command); no serious accessibility violation.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing, launchBrowser, type BrowserHandle } from './support/browser.js';
import { repoRoot } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { enable, roomWith, runCommand } from './support/plugin-helpers.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { composer, messageItem, openAs, openConversation, type ChatPage } from './support/web-chat.js';

const CARD_ENTRY = join(repoRoot, 'test/fixtures/plugins/interactive-card/index.ts');
const ECHO_MANIFEST = join(repoRoot, 'manifests/echo-bot.json');

/** A plugin type whose buttons may be anything a plugin sends (URL buttons unchecked). */
const button = {
  type: 'object',
  additionalProperties: false,
  required: ['label'],
  properties: {
    type: { enum: ['postback', 'url'] },
    id: { type: 'string' },
    url: { type: 'string' },
    label: { type: 'string' },
  },
};
const SHELF_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    elements: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['title'],
        properties: { title: { type: 'string' }, buttons: { type: 'array', items: button } },
      },
    },
    quickReplies: { type: 'array', items: button },
  },
};

const cardsManifest = {
  id: 'cards',
  name: 'Cards',
  version: '1.0.0',
  description: 'Sends cards for the web client suite.',
  author: { name: 'Switchboard tests' },
  engine: '^1.0.0',
  runtime: 'trusted',
  entry: CARD_ENTRY,
  permissions: { commands: {}, interactive: {}, 'messages.edit': {}, 'messages.send': {} },
  contributes: {
    commands: [
      {
        name: 'card',
        description: 'Sends and inspects cards.',
        arguments: [
          { name: 'op', required: true, type: 'string', description: 'send, raw or taps' },
          { name: 'args', type: 'rest', description: 'a JSON array' },
        ],
      },
    ],
    messageTypes: [{ type: 'cards.shelf', schema: SHELF_SCHEMA }],
  },
};

describe.skipIf(chromiumMissing)('web client: cards, plugin types and commands', { timeout: 120_000 }, () => {
  let host: TestHost;
  let browser: BrowserHandle;
  let ada: TestUser;
  let bob: TestUser;
  let room: { id: string };

  beforeAll(async () => {
    [host, browser] = await Promise.all([
      startTestHost({
        config: {
          plugins: { enabled: [enable(cardsManifest, { settings: { command: 'card' } }), { path: ECHO_MANIFEST }] },
        },
      }),
      launchBrowser(),
    ]);
    ada = await host.createUser({ displayName: 'Ada Lovelace' });
    bob = await host.createUser({ displayName: 'Bob Babbage' });
    room = await roomWith(host, ada, ['cards', 'echo-bot'], [bob]);
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  /** Runs the fixture's /card command as Ada; resolves with its outcome's value. */
  async function card(op: string, args: unknown[]): Promise<any> {
    const res = await runCommand(host, ada, room.id, `/card ${op} ${JSON.stringify(args)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const outcome = JSON.parse(res.body.reply.text);
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    return outcome.value;
  }

  async function openRoom(user: TestUser): Promise<ChatPage> {
    const opened = await openAs(browser, host, user, { locale: 'en-US' });
    await openConversation(opened.page, host, room.id);
    return opened;
  }

  it('taps a card: the plugin gets it, its reply shows only here, its edit follows live; a failure is a sentence', async () => {
    const sent = await card('send', [
      room.id,
      {
        text: 'Lunch?',
        buttons: [
          { id: 'vote-yes', label: 'Yes', style: 'primary' },
          { id: 'vote-no', label: 'No' },
          { id: 'boom', label: 'Boom', style: 'danger' },
        ],
        quickReplies: [{ id: 'later', label: 'Ask me later' }],
      },
    ]);
    const { page, problems } = await openRoom(bob);
    const lunch = messageItem(page, 'Lunch?');
    await lunch.getByRole('button', { name: 'Yes' }).waitFor();
    const chips = lunch.getByRole('list', { name: 'Quick replies' });
    expect(await chips.getByRole('button').allTextContents()).toEqual(['Ask me later']);

    await lunch.getByRole('button', { name: 'Yes' }).click();
    await lunch.getByRole('status').filter({ hasText: 'You chose vote-yes' }).waitFor();
    // The plugin edited the card with the tally: everyone sees the new text.
    await lunch.getByText('Lunch? (yes: 1)').waitFor();
    const taps = await card('taps', []);
    expect(taps).toContainEqual(expect.objectContaining({ messageId: sent.id, buttonId: 'vote-yes', userId: bob.id }));

    await chips.getByRole('button', { name: 'Ask me later' }).click();
    await lunch.getByRole('status').filter({ hasText: 'You chose later' }).waitFor();

    await lunch.getByRole('button', { name: 'Boom' }).click();
    await lunch.getByRole('alert').filter({ hasText: 'The app that answers this ran into a problem.' }).waitFor();
    expect(await lunch.getByRole('button', { name: 'Yes' }).isEnabled()).toBe(true);
    // Ada never tapped: no reply is shown to her.
    const { page: adaPage } = await openRoom(ada);
    await messageItem(adaPage, 'Lunch? (yes: 1)').waitFor();
    expect(await messageItem(adaPage, 'Lunch?').getByText('You chose').count()).toBe(0);
    expect(problems.cspViolations).toEqual([]);
  });

  it("shows a plugin's own type with working buttons, never a raw body or an unsafe link; system changes in words", async () => {
    await card('raw', [
      room.id,
      {
        type: 'cards.shelf',
        body: {
          elements: [
            {
              title: 'Red shirt',
              buttons: [
                { type: 'postback', id: 'buy-red', label: 'Buy red' },
                { type: 'url', url: 'https://shop.example/red', label: 'Red details' },
                { type: 'url', url: 'javascript:alert(1)', label: 'Sneaky' },
              ],
            },
          ],
          quickReplies: [{ id: 'more', label: 'Show more' }],
        },
      },
    ]);
    await card('raw', [room.id, { type: 'cards.shelf', body: { elements: [{ title: 'Just a title' }] } }]);
    const { page } = await openRoom(bob);
    const shelf = messageItem(page, 'Red shirt');
    await shelf.getByRole('button', { name: 'Buy red' }).click();
    await shelf.getByRole('status').filter({ hasText: 'You chose buy-red' }).waitFor();
    const details = shelf.getByRole('link', { name: 'Red details' });
    expect(await details.getAttribute('href')).toBe('https://shop.example/red');
    expect(await details.getAttribute('target')).toBe('_blank');
    expect(await details.getAttribute('rel')).toBe('noopener noreferrer');
    // A javascript: URL is shown as its label, never as a link.
    await shelf.getByText('Sneaky').waitFor();
    expect(await shelf.getByRole('link', { name: 'Sneaky' }).count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);

    // Nothing to show or tap: a neutral line, never the body.
    const plain = messageItem(page, 'This message type is not supported by this client.');
    await eventually(async () => (await plain.count()) >= 2, { what: 'the unsupported lines' });
    expect(await page.getByRole('log').textContent()).not.toContain('Just a title');
    expect(await page.getByRole('log').textContent()).not.toMatch(/"elements"|cards\.shelf/);

    // The room's creation and the bots joining, in words with display names.
    await page.getByText('Ada Lovelace created the group “Plugin room”').waitFor();
    await page.getByText(/^Ada Lovelace added Cards and Echo bot/).waitFor();
  });

  it('lists the slash commands with their usage, picks one by keyboard and runs it', async () => {
    const { page } = await openRoom(ada);
    const field = composer(page);
    await field.fill('/');
    const list = page.getByRole('listbox', { name: 'Commands' });
    await list.waitFor();
    const options = list.getByRole('option');
    await eventually(async () => (await options.count()) === 6, { what: 'six commands' });
    expect(await options.getByText('/remember <key> <note>').count()).toBe(1);
    await options.filter({ hasText: '/card <op> [args]' }).getByText('Sends and inspects cards.').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Each key is answered by the list's next render, which may come after the key press returns.
    const active = async (at: number) => {
      expect(await options.nth(at).getAttribute('aria-selected')).toBe('true');
      expect(await field.getAttribute('aria-activedescendant')).toBe(await options.nth(at).getAttribute('id'));
      return true;
    };
    await field.pressSequentially('re');
    await eventually(
      async () => {
        expect(await options.allTextContents()).toEqual([
          expect.stringContaining('/recall [key]'),
          expect.stringContaining('/remember <key> <note>'),
          expect.stringContaining('/remind <seconds> <text>'),
        ]);
        return true;
      },
      { what: 'the commands starting with /re' },
    );
    await eventually(() => active(0), { what: 'the first command active' });
    await field.press('ArrowDown');
    await eventually(() => active(1), { what: 'the second command active' });
    await field.press('Enter');
    await eventually(async () => (await field.inputValue()) === '/remember ', { what: 'the command picked' });
    await list.waitFor({ state: 'detached' });
    await page.getByText('Keeps a note for this conversation.').waitFor();

    await field.pressSequentially('lunch at noon');
    await field.press('Enter');
    await page.getByText('Noted "lunch".').waitFor();
    expect(await field.inputValue()).toBe('');

    // A click picks too; a whole name with nothing to add runs on Enter.
    await field.fill('/st');
    await list.getByRole('option', { name: /\/stats/ }).click();
    await eventually(async () => (await field.inputValue()) === '/stats ', { what: 'the command clicked' });
    await field.fill('/stats');
    await field.press('Enter');
    await page.getByText(/I have seen \d+ messages here\./).waitFor();
    await field.fill('/zzz');
    await page.getByText('No command matches “/zzz”.').waitFor();
  });
});
