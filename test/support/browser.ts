import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { ensureWebBuilt } from './web-build.js';

/** The system's Chromium (Debian's package; `.ci/run` installs it when missing). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumMissing = !existsSync(CHROMIUM_PATH);
if (chromiumMissing && process.env.CI) {
  // CI must run the browser suites, never pass by skipping them.
  throw new Error(`CI is set but there is no Chromium at ${CHROMIUM_PATH}: apt-get install chromium`);
}
if (chromiumMissing) {
  console.warn(
    `browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserHandle {
  /** A page in a context of its own (its own storage: a person). */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** A context for several pages sharing storage (one person's tabs). */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Chromium's fake microphone (a beeping tone) and camera, allowed without asking, as if the
 * person had said yes: for suites that record.
 */
export const FAKE_MEDIA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

/**
 * Headless Chromium driven by playwright-core, after making sure web/dist is built. Playwright
 * gives the browser a fresh profile folder of its own and removes it at close; contexts are
 * closed with the browser. `extraArgs` go on Chromium's command line after the usual ones.
 */
export async function launchBrowser(extraArgs: readonly string[] = []): Promise<BrowserHandle> {
  await ensureWebBuilt();
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...ARGS, ...extraArgs],
  });
  const newContext = (options?: BrowserContextOptions) => browser.newContext(options);
  return {
    newContext,
    async newPage(options) {
      return (await newContext(options)).newPage();
    },
    close: () => browser.close(),
  };
}

export interface PageProblems {
  /** console.error lines, uncaught exceptions and Content-Security-Policy violations, as they came. */
  readonly all: string[];
  readonly cspViolations: string[];
}

/**
 * Collects what a page reports as going wrong, from before its first script runs: CSP violations
 * (the `securitypolicyviolation` event, which Chromium also logs to the console), console errors and
 * uncaught exceptions. Call it before page.goto().
 */
export async function watchPageProblems(page: Page): Promise<PageProblems> {
  const problems = { all: [] as string[], cspViolations: [] as string[] };
  await page.exposeFunction('__reportCspViolation', (text: string) => {
    problems.cspViolations.push(text);
    problems.all.push(`csp: ${text}`);
  });
  await page.addInitScript(() => {
    // Runs in the page: its globals, not Node's (the tests are type-checked without the DOM library).
    const page = globalThis as any;
    page.document.addEventListener('securitypolicyviolation', (e: any) => {
      page.__reportCspViolation(
        `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`,
      );
    });
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.all.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.all.push(`exception: ${error.message}`));
  return problems;
}
