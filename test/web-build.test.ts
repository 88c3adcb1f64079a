import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_SCRIPT, WEB_DIST, ensureWebBuilt } from './support/web-build.js';

const run = async () => (await promisify(execFile)(process.execPath, [BUILD_SCRIPT])).stdout.trim();
const hashFile = join(WEB_DIST, '.build-hash');

describe('npm run build:web', { timeout: 120_000 }, () => {
  beforeAll(() => ensureWebBuilt());

  it('skips the build when nothing changed since the last one', async () => {
    const before = statSync(join(WEB_DIST, 'index.html')).mtimeMs;
    expect(await run()).toMatch(/^web client up to date/);
    expect(statSync(join(WEB_DIST, 'index.html')).mtimeMs).toBe(before);
  });

  it('builds again when the recorded hash no longer matches the sources, to the same files', async () => {
    const hash = readFileSync(hashFile, 'utf8');
    const index = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');
    expect(hash).toMatch(/^[0-9a-f]{64}\n$/);
    writeFileSync(hashFile, 'stale\n');
    expect(await run()).toMatch(/^web client built in/);
    expect(readFileSync(hashFile, 'utf8')).toBe(hash);
    // Hashed names follow content: an unchanged tree builds the same app.
    expect(readFileSync(join(WEB_DIST, 'index.html'), 'utf8')).toBe(index);
    expect(await run()).toMatch(/^web client up to date/);
  });

  it('builds for production even when run from a test (NODE_ENV=test): no development JSX, no file paths', () => {
    const index = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');
    const script = /src="\/(assets\/[^"]+\.js)"/.exec(index)?.[1];
    expect(script).toBeDefined();
    const bundle = readFileSync(join(WEB_DIST, script!), 'utf8');
    expect(bundle).not.toContain('jsxDEV');
    expect(bundle).not.toContain(process.cwd());
  });
});
