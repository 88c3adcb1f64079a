/**
 * The profile screen and what it changes, in real Chromium against a real host: a display name
 * changed (there or through the API) shows at once in the person's own header and in the open
 * windows of the people who share a conversation with them; a picture uploaded shows in their
 * conversation lists and headers, and removed gives way to initials; refusals are said in words.
 */
import { randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { plainPng } from './support/image-fixtures.js';
import {
  adaAndBob,
  chatSuite,
  conversationLink,
  messageItem,
  openAs,
  openConversation,
  postTexts,
} from './support/web-chat.js';

/** Small enough that a plain file past it is quick to make, large enough for any picture the tests send. */
const MAX_BYTES = 32_768;

const banner = (page: Page) => page.getByRole('banner');
const nameField = (page: Page) => page.getByLabel('Display name', { exact: true });

/** The id of the element that has the focus. */
const focusedId = (page: Page) => page.evaluate(() => String((globalThis as any).document.activeElement?.id ?? ''));

/** An avatar's image shows the host's picture at `avatarUrl`, loaded. */
async function showsPicture(scope: Locator, avatarUrl: string): Promise<void> {
  const image = scope.locator(`img[src$="${avatarUrl}"]`);
  await image.waitFor();
  await expect.poll(() => image.evaluate((el) => (el as any).complete && (el as any).naturalWidth > 0)).toBe(true);
}

describe.skipIf(chromiumMissing)('web client: the profile, avatars and names kept live', { timeout: 120_000 }, () => {
  const suite = chatSuite({ config: { attachments: { maxBytes: MAX_BYTES } } });

  it('a rename, through the API or the profile screen, shows at once in the header and in the other person’s window', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, ada, direct.id, ['Hello from Ada']);
    const [a, b] = await Promise.all([openAs(browser, host, ada), openAs(browser, host, bob)]);
    await openConversation(b.page, host, direct.id);
    await b.page.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();

    // Through the API (another device): nobody reloads.
    const renamed = await host.http('PATCH', '/v1/me', { token: ada.token, body: { displayName: 'Ada King' } });
    expect(renamed.status).toBe(200);
    await banner(a.page).getByText('Signed in as Ada King').waitFor();
    await b.page.getByRole('heading', { name: 'Ada King', level: 1 }).waitFor();
    await conversationLink(b.page, /Ada King/).waitFor();
    await messageItem(b.page, 'Hello from Ada').getByText('Ada King').waitFor();

    // On the profile screen, reached from the header: the name field has the focus.
    await banner(a.page).getByRole('link', { name: 'Signed in as Ada King (your profile)' }).click();
    await a.page.waitForURL(`${host.url}/profile`);
    await a.page.getByRole('heading', { name: 'Your profile', level: 1 }).waitFor();
    await a.page.getByText(`@${ada.handle}`).waitFor();
    expect(await nameField(a.page).inputValue()).toBe('Ada King');
    await expect.poll(() => focusedId(a.page)).toBe(await nameField(a.page).getAttribute('id'));

    // Only spaces: the host refuses it, and the field says why.
    await nameField(a.page).fill('   ');
    await a.page.getByRole('button', { name: 'Save name' }).click();
    await a.page.getByText('Use 1 to 64 characters, not only spaces.').waitFor();
    expect(await nameField(a.page).getAttribute('aria-invalid')).toBe('true');

    await nameField(a.page).fill('Countess Lovelace');
    await nameField(a.page).press('Enter');
    await a.page.getByRole('status').filter({ hasText: 'Your display name is now “Countess Lovelace”.' }).waitFor();
    await banner(a.page).getByText('Signed in as Countess Lovelace').waitFor();
    await b.page.getByRole('heading', { name: 'Countess Lovelace', level: 1 }).waitFor();
    await messageItem(b.page, 'Hello from Ada').getByText('Countess Lovelace').waitFor();
    expect(await seriousAxeViolations(a.page)).toEqual([]);

    // Kept over a reload.
    await a.page.reload();
    await banner(a.page).getByText('Signed in as Countess Lovelace').waitFor();
    // The refusal above is the page's to say: the browser logs it as a failed request, nothing else.
    expect(a.problems.all.filter((line) => !line.includes('status of 400'))).toEqual([]);
    expect(b.problems.all).toEqual([]);
  });

  it('a picture uploaded shows in the other person’s list and header; removed, their initials come back', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, ada, direct.id, ['Look at my picture']);
    const [a, b] = await Promise.all([openAs(browser, host, ada), openAs(browser, host, bob)]);
    const entry = conversationLink(b.page, /Ada Lovelace/);
    await entry.locator('.avatar').getByText('AL', { exact: true }).waitFor();

    // Reached by its address, keyboard only: the name field first, then on to the file picker.
    await a.page.goto(`${host.url}/profile`);
    await nameField(a.page).waitFor();
    await expect.poll(() => focusedId(a.page)).toBe(await nameField(a.page).getAttribute('id'));
    await a.page.getByText('You have no picture: people see your initials.').waitFor();
    const picker = a.page.getByLabel('Choose an image');
    await picker.setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await plainPng(300, 200) });
    await a.page.getByRole('img', { name: 'The image you chose' }).waitFor();
    await a.page.getByRole('button', { name: 'Use this image' }).focus();
    await a.page.keyboard.press('Enter');
    await a.page.getByRole('status').filter({ hasText: 'Your picture is changed.' }).waitFor();

    const avatarUrl = (await host.http('GET', '/v1/me', { token: ada.token })).body.avatarUrl as string;
    expect(avatarUrl).toMatch(/^\/v1\/avatars\/[0-9a-f]{64}$/);
    await showsPicture(a.page.getByRole('img', { name: 'Your picture' }), avatarUrl);
    await showsPicture(banner(a.page), avatarUrl);
    // Bob never reloads: his list, then the conversation's header, show it.
    await showsPicture(entry, avatarUrl);
    await entry.click();
    await b.page.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();
    await showsPicture(b.page.locator('.chat-header'), avatarUrl);

    await a.page.getByRole('button', { name: 'Remove picture' }).click();
    await a.page.getByRole('status').filter({ hasText: 'Your picture is removed.' }).waitFor();
    await entry.locator('.avatar img').waitFor({ state: 'detached' });
    await entry.locator('.avatar').getByText('AL', { exact: true }).waitFor();
    await b.page.locator('.chat-header .avatar').getByText('AL', { exact: true }).waitFor();
    expect(a.problems.all).toEqual([]);
    expect(b.problems.all).toEqual([]);
  });

  it('a group shows each sender’s picture beside their name', async () => {
    const { host, browser } = suite;
    const { ada, bob } = await adaAndBob(host);
    const set = await host.http('PUT', '/v1/me/avatar', {
      token: bob.token,
      rawBody: await plainPng(64, 64),
      headers: { 'content-type': 'image/png' },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const group = await host.createGroup(ada, [bob], 'Engines');
    await postTexts(host, bob, group.id, ['Gears ready']);
    await postTexts(host, ada, group.id, ['Splendid']);
    const { page } = await openAs(browser, host, ada);
    await openConversation(page, host, group.id);
    await showsPicture(messageItem(page, 'Gears ready'), set.body.avatarUrl);
    // My own messages carry no picture: they are mine.
    expect(await messageItem(page, 'Splendid').locator('.avatar').count()).toBe(0);
  });

  it('says in words why an image is refused, in English and in French', async () => {
    const { host, browser } = suite;
    const ada = await host.createUser({ displayName: 'Ada Lovelace' });
    const { page, problems } = await openAs(browser, host, ada);
    await page.goto(`${host.url}/profile`);
    const picker = page.getByLabel(/^(Choose an image|Choisir une image)$/);
    const send = async (name: string, mimeType: string, buffer: Buffer) => {
      await picker.setInputFiles({ name, mimeType, buffer });
      await page.getByRole('button', { name: /^(Use this image|Utiliser cette image)$/ }).click();
    };

    await send('notes.txt', 'text/plain', Buffer.from('not a picture at all'));
    await page
      .getByRole('alert')
      .filter({ hasText: 'That file is not an image this host takes. Choose a JPEG, PNG, WebP, GIF or AVIF image.' })
      .waitFor();
    await send('huge.png', 'image/png', randomBytes(MAX_BYTES * 3));
    await page.getByRole('alert').filter({ hasText: 'That file is too large. Choose a smaller image.' }).waitFor();
    expect((await host.http('GET', '/v1/me', { token: ada.token })).body.avatarUrl).toBeNull();

    await page.getByLabel('Language').selectOption('fr');
    await send('notes.txt', 'text/plain', Buffer.from('toujours pas une image'));
    await page
      .getByRole('alert')
      .filter({ hasText: 'Ce fichier n’est pas une image acceptée par ce serveur.' })
      .waitFor();
    await page.getByLabel('Nom affiché', { exact: true }).fill(' ');
    await page.getByRole('button', { name: 'Enregistrer le nom' }).click();
    await page.getByText('Utilisez de 1 à 64 caractères, pas seulement des espaces.').waitFor();
    // As above, the refusals are logged by the browser as failed requests, and nothing else is.
    expect(problems.all.filter((line) => !/status of (400|413|415)/.test(line))).toEqual([]);
  });
});
