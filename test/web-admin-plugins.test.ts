/**
 * The operator console's plugins and apps, in real Chromium: disabling and enabling a plugin (the
 * host's status follows), a plugin's settings (its secrets hidden) and log lines, and a sandboxed
 * app's health (state, breaker, restarts, CPU, memory), and an app whose breaker opened after
 * repeated failures until the operator enables it again. No serious axe violation.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing, launchBrowser, watchPageProblems, type BrowserHandle } from './support/browser.js';
import { repoRoot } from './support/e2e.js';
import { enable, pluginStatus, prober, roomWith } from './support/plugin-helpers.js';
import { appManifest, runOp, waitForApp } from './support/sandbox-helpers.js';
import { SECRETS, secretSettingsProbe } from './support/secret-settings-probe.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { openAdminConsole, openSection, region } from './support/web-admin.js';

describe.skipIf(chromiumMissing)('web client: the operator console, plugins and apps', { timeout: 120_000 }, () => {
  let host: TestHost;
  let browser: BrowserHandle;

  beforeAll(async () => {
    [host, browser] = await Promise.all([
      startTestHost({
        config: {
          plugins: {
            enabled: [
              { path: join(repoRoot, 'manifests/echo-bot.json'), settings: { echoPrefix: '> ' } },
              { path: join(repoRoot, 'manifests/poll.json') },
              secretSettingsProbe('keeper'),
              enable(appManifest('fragile', { limits: { cpuMsPerEvent: 250 } })),
            ],
          },
          // A few quick failures trip an app's breaker, so the test need not wait out real backoff.
          sandbox: { restart: { baseDelayMs: 10, maxDelayMs: 50, maxFailures: 3, windowMs: 60_000 } },
        },
      }),
      launchBrowser(),
    ]);
    await waitForApp(host, 'poll');
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  async function pluginsPanel() {
    const page = await browser.newPage({ locale: 'en-US' });
    const problems = await watchPageProblems(page);
    await openAdminConsole(page, host.url, host.adminToken);
    return { page, problems, panel: await openSection(page, 'Plugins and apps') };
  }

  it('disables and enables a plugin, and the host follows', async () => {
    const { panel, problems } = await pluginsPanel();
    const plugins = region(panel, 'Plugins');
    const row = plugins.getByRole('row').filter({ hasText: '(echo-bot)' });
    await row.getByRole('cell', { name: 'Running', exact: true }).waitFor();

    await row.getByRole('button', { name: 'Disable Echo bot' }).click();
    await plugins.getByRole('status').filter({ hasText: 'Echo bot is disabled.' }).waitFor();
    expect((await pluginStatus(host, 'echo-bot')).status).toBe('disabled');
    await row.getByRole('cell', { name: 'Disabled', exact: true }).waitFor();

    await row.getByRole('button', { name: 'Enable Echo bot' }).click();
    await plugins.getByRole('status').filter({ hasText: 'Echo bot is running.' }).waitFor();
    expect((await pluginStatus(host, 'echo-bot')).status).toBe('running');
    await row.getByRole('cell', { name: 'Running', exact: true }).waitFor();
    expect(problems.all).toEqual([]);
  });

  it("shows a plugin's settings without its secrets, and its latest log lines", async () => {
    const user = await host.createUser();
    const room = await roomWith(host, user, ['keeper']);
    const probe = prober(host, user, room.id, 'keeper');
    await probe('log', 'warn', 'disk almost full', { freeBytes: 1024 });

    const { page, panel } = await pluginsPanel();
    await panel.getByRole('button', { name: 'Settings and logs of Probe keeper' }).click();
    const details = region(panel, 'Probe keeper: settings and logs');
    const settings = details.getByLabel('Settings', { exact: true });
    await settings.getByText('"greeting": "hello"').waitFor();
    const shown = (await settings.textContent()) ?? '';
    expect(shown).toContain('"token": "[hidden]"');
    expect(shown).toContain('"region": "eu"');
    for (const secret of Object.values(SECRETS)) expect(await page.content()).not.toContain(secret);

    const log = details.getByRole('list', { name: 'Latest log lines' });
    await log.getByText('disk almost full').waitFor();
    await log.getByText('{"freeBytes":1024}').waitFor();
    await probe('log', 'info', 'second thoughts');
    expect(await log.getByText('second thoughts').count()).toBe(0);
    await details.getByRole('button', { name: 'Refresh the logs' }).click();
    await log.getByText('second thoughts').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("shows a sandboxed app's health: state, breaker, restarts, CPU and memory", async () => {
    const { page, panel } = await pluginsPanel();
    const apps = region(panel, 'Sandboxed apps');
    const poll = apps.getByRole('article', { name: 'App poll' });
    const fact = (term: string) => poll.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]');
    await poll.waitFor();
    expect(await fact('State').textContent()).toBe('Running');
    expect(await fact('Circuit breaker').textContent()).toBe('Closed');
    expect(await fact('Restarts').textContent()).toBe('0 (0 caused by another app)');
    expect(await fact('CPU').textContent()).toMatch(/^[\d.,]+ m?s in all, [\d.,]+ m?s in the last minute$/);
    expect(await fact('Memory').textContent()).toMatch(/^[\d.,]+ [KM]iB of [\d.,]+ MiB; worker process [\d.,]+ MiB$/);

    // Disabled by the operator, it stops; the breaker stays closed (it did not trip).
    await region(panel, 'Plugins').getByRole('button', { name: 'Disable Poll' }).click();
    await region(panel, 'Plugins').getByRole('status').filter({ hasText: 'Poll is disabled.' }).waitFor();
    await apps.getByRole('button', { name: 'Refresh the apps' }).click();
    await fact('State').getByText('Stopped', { exact: true }).waitFor();
    expect(await fact('Circuit breaker').textContent()).toBe('Closed');
    await region(panel, 'Plugins').getByRole('button', { name: 'Enable Poll' }).click();
    await waitForApp(host, 'poll');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("shows an app's open breaker, with its failures, until the operator enables it again", async () => {
    await waitForApp(host, 'fragile');
    const user = await host.createUser();
    const room = await roomWith(host, user, ['fragile']);
    // Each run spins past the app's CPU budget per event: three failures in the window open the breaker.
    for (let i = 0; i < 3; i++) {
      expect((await runOp(host, user, room.id, 'loop-sync')).status).toBe(502);
      await waitForApp(host, 'fragile', i < 2 ? 'running' : 'disabled');
    }
    const { page, panel } = await pluginsPanel();
    const fragile = region(panel, 'Sandboxed apps').getByRole('article', { name: 'App fragile' });
    const fact = (term: string) => fragile.locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]');
    await fragile.waitFor();
    expect(await fact('State').textContent()).toBe('Disabled by its circuit breaker');
    expect(await fact('Circuit breaker').textContent()).toBe(
      'Open: it stopped the app after repeated failures. Enable the plugin to run it again.',
    );
    expect(await fact('Restarts').textContent()).toBe('2 (0 caused by another app)');
    expect(await fact('Last failure').textContent()).toMatch(/CPU/i);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await region(panel, 'Plugins').getByRole('button', { name: 'Enable App fragile' }).click();
    await waitForApp(host, 'fragile');
    await region(panel, 'Sandboxed apps').getByRole('button', { name: 'Refresh the apps' }).click();
    await fact('Circuit breaker').getByText('Closed', { exact: true }).waitFor();
    expect(await fact('State').textContent()).toBe('Running');
  });
});
