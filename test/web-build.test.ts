import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_SCRIPT, WEB_DIST, ensureWebBuilt } from './support/web-build.js';
import { repoRoot } from './support/e2e.js';

// A folder of this file's own: the other browser test files build web/dist when they find it stale,
// so a stale hash written there would be mended under this test by whichever started first.
const folder = mkdtempSync(join(tmpdir(), 'sb-web-build-'));
const out = join(folder, 'dist');
const hashFile = join(out, '.build-hash');
const run = async (...args: string[]) =>
  (await promisify(execFile)(process.execPath, [BUILD_SCRIPT, '--out', out, ...args])).stdout.trim();

describe('npm run build:web', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    expect(await run()).toMatch(/^web client built in/);
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('skips the build when nothing changed since the last one', async () => {
    const before = statSync(join(out, 'index.html')).mtimeMs;
    expect(await run()).toMatch(/^web client up to date/);
    expect(statSync(join(out, 'index.html')).mtimeMs).toBe(before);
  });

  it('builds again when the recorded hash no longer matches the sources, to the same files', async () => {
    const hash = readFileSync(hashFile, 'utf8');
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    expect(hash).toMatch(/^[0-9a-f]{64}\n$/);
    writeFileSync(hashFile, 'stale\n');
    expect(await run()).toMatch(/^web client built in/);
    expect(readFileSync(hashFile, 'utf8')).toBe(hash);
    // Hashed names follow content: an unchanged tree builds the same app.
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe(index);
    expect(await run()).toMatch(/^web client up to date/);
  });

  it('builds with --out the app it builds in web/dist, from the same sources (neither output is one)', async () => {
    await ensureWebBuilt();
    expect(readFileSync(hashFile, 'utf8')).toBe(readFileSync(join(WEB_DIST, '.build-hash'), 'utf8'));
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe(readFileSync(join(WEB_DIST, 'index.html'), 'utf8'));
  });

  it('refuses --out without a folder, one among the sources, or one of other files, and leaves them', async () => {
    const others = join(folder, 'others');
    mkdirSync(others);
    writeFileSync(join(others, 'keep.txt'), 'mine');
    for (const [args, message] of [
      [['--out'], /--out needs a folder/],
      [['--out', 'web'], /among the sources \(web\)/],
      [['--out', '.'], /among the sources \(\.\)/],
      [['--out', 'sdk'], /among the sources \(sdk\/client\)/],
      [['--out', others], /holds files of no earlier build/],
    ] as const) {
      const failed = promisify(execFile)(process.execPath, [BUILD_SCRIPT, ...args], { cwd: repoRoot });
      await expect(failed, args.join(' ')).rejects.toMatchObject({ stderr: expect.stringMatching(message) });
    }
    expect(readFileSync(join(others, 'keep.txt'), 'utf8')).toBe('mine');
    expect(statSync(join(repoRoot, 'web/src')).isDirectory()).toBe(true);
  });

  it('builds for production even when run from a test (NODE_ENV=test): no development JSX, no file paths', () => {
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    const script = /src="\/(assets\/[^"]+\.js)"/.exec(index)?.[1];
    expect(script).toBeDefined();
    const bundle = readFileSync(join(out, script!), 'utf8');
    expect(bundle).not.toContain('jsxDEV');
    expect(bundle).not.toContain(process.cwd());
  });
});
