/**
 * Quiet hours in the web client: set beside the notification toggle (keyboard only), stored by the
 * host under the zone's canonical name, a zone the host does not know refused in words; and while
 * they last, a message to the person is not pushed to their browser (the test's push service).
 */
import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { pushIdle, subscribe, wentOffline } from './support/push-helpers.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { adaAndBob, openAs } from './support/web-chat.js';
import { webPushSuite } from './support/web-push.js';

/** Ada's browser's zone (not the test machine's): the form starts from it. */
const ZONE = 'Asia/Tokyo';

/** "HH:MM" in ZONE, `offset` minutes from now. */
function localTime(offset: number): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: ZONE,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(Date.now());
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const minutes = (((part('hour') * 60 + part('minute') + offset) % 1440) + 1440) % 1440;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

async function settingsOf(host: TestHost, user: TestUser): Promise<unknown> {
  const res = await host.http('GET', '/v1/me/notification-settings', { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

describe.skipIf(chromiumMissing)('web client: quiet hours', { timeout: 120_000 }, () => {
  const suite = webPushSuite();

  it('sets quiet hours from the sidebar; during them a message is not pushed', async () => {
    const { host, browser, service } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const { page, problems } = await openAs(browser, host, ada, { timezoneId: ZONE });
    const group = page.getByRole('group', { name: 'Notifications' });
    const open = group.getByRole('button', { name: 'Quiet hours', exact: true });
    // Apart from the toggle above it, not touching it.
    const [toggle, quiet] = await Promise.all([
      group.getByRole('button', { name: 'Turn on notifications' }).boundingBox(),
      open.boundingBox(),
    ]);
    expect(quiet!.y - (toggle!.y + toggle!.height)).toBeGreaterThanOrEqual(4);
    await open.focus();
    await page.keyboard.press('Enter');
    // Each key is answered by the next render, which may come after the key press returns.
    await eventually(async () => (await open.getAttribute('aria-expanded')) === 'true', { what: 'the form open' });
    const form = group.getByRole('form', { name: 'Quiet hours', exact: true });
    const enabled = form.getByRole('checkbox', { name: 'Pause notifications during quiet hours' });
    const zone = form.getByLabel('Time zone');
    await enabled.waitFor();
    expect(await zone.inputValue()).toBe(ZONE);
    expect(await zone.isDisabled()).toBe(true);

    await page.keyboard.press('Tab');
    expect(await enabled.evaluate((el) => el === (globalThis as any).document.activeElement)).toBe(true);
    await page.keyboard.press('Space');
    await eventually(() => enabled.isChecked(), { what: 'quiet hours checked' });
    const [start, end] = [localTime(-60), localTime(60)];
    await form.getByLabel('From').fill(start);
    await form.getByLabel('To').fill(end);

    // A zone no host knows: refused, in words, on the field; nothing stored.
    await zone.fill('Mars/Olympus_Mons');
    await zone.press('Enter');
    await form
      .getByRole('alert')
      .getByText('This host does not know that time zone. Choose one from the list, such as Europe/Paris.')
      .waitFor();
    expect(await zone.getAttribute('aria-invalid')).toBe('true');
    expect(await settingsOf(host, ada)).toEqual({ quietHours: null });
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Spelled in lower case: the host keeps, and the form shows, the canonical name.
    await zone.fill(ZONE.toLowerCase());
    await form.getByRole('button', { name: 'Save quiet hours' }).click();
    await form.getByRole('status').getByText(`Quiet hours saved: ${start} to ${end}, ${ZONE}.`).waitFor();
    expect(await zone.inputValue()).toBe(ZONE);
    expect(await zone.getAttribute('aria-invalid')).toBeNull();
    expect(await settingsOf(host, ada)).toEqual({ quietHours: { start, end, timeZone: ZONE } });
    expect(problems.all.filter((p) => !p.includes('Failed to load resource'))).toEqual([]);

    // Ada's browser, subscribed; her page closed, so the host would push Bob's message now.
    const subscription = await subscribe(host, ada, service);
    const watcher = await host.connect(bob.token);
    await watcher.request({ type: 'presence.subscribe', userIds: [ada.id] });
    await page.context().close();
    await wentOffline(watcher, ada);
    const send = (clientMsgId: string, text: string) =>
      watcher.request({ type: 'send', conversationId: direct.id, clientMsgId, content: { type: 'text', text } });
    await send('quiet', 'Still up?');
    await pushIdle(host);
    expect(service.pushesTo(subscription)).toEqual([]);

    // The same message once the quiet hours are off is pushed: it was the quiet hours that held it.
    const cleared = await host.http('PUT', '/v1/me/notification-settings', {
      token: ada.token,
      body: { quietHours: null },
    });
    expect(cleared.status).toBe(200);
    await send('awake', 'Good morning');
    const push = await service.waitForPush(subscription);
    expect(push.payload).toMatchObject({ conversationId: direct.id, body: 'Good morning' });
    expect(service.pushesTo(subscription)).toHaveLength(1);
    expect(service.refused).toEqual([]);
  });
});
