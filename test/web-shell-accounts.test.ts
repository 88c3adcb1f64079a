import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchBrowser, watchPageProblems, type BrowserHandle } from './support/browser.js';
import { eventually } from './support/eventually.js';
import { randomUUID, startTestHost, type TestHost } from './support/start-test-host.js';
import { pageToken, savePageSession, signInPage } from './support/web-session.js';

const handle = () => `web_${randomUUID().slice(0, 8)}`;

describe.skipIf(chromiumMissing)('web client: accounts', { timeout: 90_000 }, () => {
  let host: TestHost;
  let browser: BrowserHandle;

  beforeAll(async () => {
    [host, browser] = await Promise.all([
      startTestHost({ config: { auth: { openRegistration: true } } }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('a person registers, lands in the app, stays signed in over a reload, logs out and signs in again', async () => {
    const page = await browser.newPage();
    const problems = await watchPageProblems(page);
    const frames: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (frame) => frames.push(String(frame.payload))));
    const me = { handle: handle(), displayName: 'Ada Lovelace', password: 'analytical engine' };

    const answer = await page.goto(`${host.url}/`);
    expect(answer?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForURL(`${host.url}/login`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(`${host.url}/register`);
    await page.getByLabel('Handle', { exact: true }).fill(me.handle);
    await page.getByLabel('Display name', { exact: true }).fill(me.displayName);
    await page.getByLabel('Password', { exact: true }).fill(me.password);
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('banner').getByText('Signed in as Ada Lovelace').waitFor();
    await page.waitForURL(`${host.url}/`);
    await page.getByRole('navigation', { name: 'Conversations' }).waitFor();
    await page.getByRole('main').waitFor();
    const token = await pageToken(page);
    expect((await host.http('GET', '/v1/me', { token: token! })).body.handle).toBe(me.handle);
    // The session's socket authenticates under connect-src 'self': same-origin ws: is allowed.
    await eventually(() => frames.some((f) => f.includes('"type":"ready"')), { what: 'the ready frame' });

    const asked: string[] = [];
    page.on('request', (request) => asked.push(new URL(request.url()).pathname));
    await page.reload();
    await page.getByRole('banner').getByText('Signed in as Ada Lovelace').waitFor();
    expect(await pageToken(page)).toBe(token);
    // The saved session starts at once: nothing waits for the host to say who is signed in.
    expect(asked).not.toContain('/v1/me');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
    expect(await pageToken(page)).toBeNull();
    expect((await host.http('GET', '/v1/me', { token: token! })).status).toBe(401);
    // Logging out is not a session that ended: no error greets the person.
    expect(await page.getByRole('alert').count()).toBe(0);

    await signInPage(page, host.url, me);
    expect(await pageToken(page)).not.toBe(token);
    expect(problems.all).toEqual([]);
  });

  it('logging out lets the requests on their way finish first, so none is refused with the revoked token', async () => {
    const user = await host.createUser({ displayName: 'Hasty Hal' });
    const page = await browser.newPage();
    const problems = await watchPageProblems(page);
    // The conversation list the session asks for once its socket is ready is held on its way.
    let held: Route | undefined;
    await page.route('**/v1/conversations', (route) => {
      held = route;
    });
    await signInPage(page, host.url, user);
    const token = (await pageToken(page))!;
    await eventually(() => held !== undefined, { what: 'the conversation list on its way' });
    const listed = page.waitForResponse((response) => new URL(response.url()).pathname === '/v1/conversations');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('status').filter({ hasText: 'Logging out…' }).waitFor();
    // The signed-in screens are gone, and the token still works while the request is out.
    expect(await page.getByRole('banner').count()).toBe(0);
    expect((await host.http('GET', '/v1/me', { token })).status).toBe(200);

    await held!.continue();
    expect((await listed).status()).toBe(200);
    await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
    expect((await host.http('GET', '/v1/me', { token })).status).toBe(401);
    expect(problems.all).toEqual([]);
  });

  it('a wrong password is told in words, never as the raw error', async () => {
    const user = await host.createUser({ displayName: 'Grace Hopper' });
    const page = await browser.newPage();
    const problems = await watchPageProblems(page);
    await page.goto(`${host.url}/login`);
    await page.getByLabel('Handle', { exact: true }).fill(user.handle);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert').filter({ hasText: /\S/ });
    await alert.waitFor();
    expect(await alert.textContent()).toBe('The handle or password is wrong.');
    expect(await page.content()).not.toMatch(/invalid_credentials|"code"/);
    expect(await pageToken(page)).toBeNull();
    // The refused login shows up in the console as a failed request (401), never as a CSP violation.
    expect(problems.cspViolations).toEqual([]);

    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('banner').getByText('Signed in as Grace Hopper').waitFor();
  });

  it('a taken handle and empty fields are told in words by the fields', async () => {
    const taken = await host.createUser();
    const page = await browser.newPage();
    await page.goto(`${host.url}/register`);
    await page.getByRole('button', { name: 'Create account' }).click();
    // The fields' errors come with the next render, which may come after the click returns.
    await expect.poll(() => page.getByText('Fill in this field.').count()).toBe(3);
    expect(await page.getByLabel('Handle', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Handle', { exact: true }).fill(taken.handle);
    await page.getByLabel('Display name', { exact: true }).fill('Someone Else');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Use 8 to 256 characters.').waitFor();

    await page.getByLabel('Password', { exact: true }).fill('long enough now');
    await page.getByRole('button', { name: 'Create account' }).click();
    // Said at the handle, which takes the focus, not at the bottom of the form.
    const handle = page.getByLabel('Handle', { exact: true });
    await expect.poll(() => handle.getAttribute('aria-invalid')).toBe('true');
    const said = await handle.evaluate((el: any) =>
      String(el.getAttribute('aria-describedby'))
        .split(' ')
        .map((id) => el.ownerDocument.getElementById(id)?.textContent)
        .join(' '),
    );
    expect(said).toContain('That handle is already taken. Choose another one.');
    expect(await handle.evaluate((el: any) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(await page.getByRole('alert').filter({ hasText: 'already taken' }).count()).toBe(0);
  });

  it('a saved token the host no longer takes signs the person out, saying so', async () => {
    const user = await host.createUser({ displayName: 'Revoked Rita' });
    const page = await browser.newPage();
    await signInPage(page, host.url, user);
    const token = (await pageToken(page))!;
    // Its socket is up (presence says so) before the token is revoked: a revocation before it
    // authenticates would be a refusal at connect, not a session ending.
    const friend = await host.createUser();
    await host.direct(friend, user);
    const watcher = await host.connect(friend.token);
    const { presence } = await watcher.request({ type: 'presence.subscribe', userIds: [user.id] });
    if (presence[0]?.status !== 'online')
      await watcher.next((f) => f.type === 'presence' && f.userId === user.id && f.status === 'online');
    // Revoked elsewhere while the page is open: its socket is closed with 4003.
    await host.http('POST', '/v1/auth/logout', { token });
    await page.getByRole('alert').filter({ hasText: 'Your session has ended. Sign in again.' }).waitFor();
    expect(await pageToken(page)).toBeNull();

    // A reload with a dead token saved: the session starts from it, and the socket's refusal ends it.
    await savePageSession(page, 'sb_not-a-real-token', user);
    await page.goto(`${host.url}/`);
    await page.getByRole('alert').filter({ hasText: 'You are signed out. Sign in again.' }).waitFor();
    expect(await pageToken(page)).toBeNull();
  });

  it('a deep link while signed out goes to the login screen', async () => {
    const page = await browser.newPage();
    await page.goto(`${host.url}/c/${randomUUID()}`);
    await page.waitForURL(`${host.url}/login`);
    await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
    // The cursor waits in the handle field: typing at once signs in, as on every other screen.
    const field = page.getByLabel('Handle', { exact: true });
    await expect.poll(() => field.evaluate((el: any) => el === el.ownerDocument.activeElement)).toBe(true);
  });

  it("a broken rule is said once, as the field's error, not under its hint saying the same", async () => {
    const page = await browser.newPage();
    await page.goto(`${host.url}/register`);
    const handleField = page.getByLabel('Handle', { exact: true });
    await expect.poll(() => handleField.evaluate((el: any) => el === el.ownerDocument.activeElement)).toBe(true);
    await handleField.fill('al ice!');
    await page.getByLabel('Display name', { exact: true }).fill('Alice Liddell');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Use 3 to 32 letters, digits, dots, dashes or underscores.').waitFor();
    await page.getByText('Use 8 to 256 characters.').waitFor();
    const described = (label: string) =>
      page.getByLabel(label, { exact: true }).evaluate((el: any) =>
        String(el.getAttribute('aria-describedby'))
          .split(' ')
          .map((id) => el.ownerDocument.getElementById(id)?.textContent)
          .join(' | '),
      );
    expect(await described('Handle')).toBe('Use 3 to 32 letters, digits, dots, dashes or underscores.');
    expect(await described('Password')).toBe('Use 8 to 256 characters.');
    expect(await page.getByText('3 to 32 letters, digits, dots, dashes or underscores.', { exact: true }).count()).toBe(
      0,
    );
    expect(await page.getByText('At least 8 characters.').count()).toBe(0);
    // A field with nothing wrong keeps its hint.
    expect(await described('Display name')).toBe('How others see you.');
    // An empty field says so, and keeps its hint: "Fill in this field" does not tell the rule.
    await handleField.fill('');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Fill in this field.').waitFor();
    expect(await described('Handle')).toBe(
      '3 to 32 letters, digits, dots, dashes or underscores. | Fill in this field.',
    );
  });
});

describe.skipIf(chromiumMissing)('web client: a host that takes no new accounts', { timeout: 90_000 }, () => {
  it('shows its refusal in words', async () => {
    const [host, browser] = await Promise.all([startTestHost(), launchBrowser()]);
    try {
      const page = await browser.newPage();
      await page.goto(`${host.url}/register`);
      await page.getByLabel('Handle', { exact: true }).fill(handle());
      await page.getByLabel('Display name', { exact: true }).fill('Closed Door');
      await page.getByLabel('Password', { exact: true }).fill('a fine password');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: 'This host does not accept new accounts. Ask its operator for one.' })
        .waitFor();
      expect(await pageToken(page)).toBeNull();
    } finally {
      await browser.close();
      await host.stop();
    }
  });
});
