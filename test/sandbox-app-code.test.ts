/**
 * An app's code, as the host reads it from disk. A TypeScript entry is bundled by the host, and a
 * bundle's imports are reads of the host's disk: an app may import only its own folder's files
 * and the SDK, by their real paths, so neither `import cfg from '/srv/config.json'` nor a
 * symbolic link in the app's folder hands it the host's files. A bundle over MAX_APP_CODE_BYTES is
 * refused before it is read. Each refusal fails that app's start, with the reason; the others run.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_APP_CODE_BYTES } from '../host/sandbox/app-code.js';
import { repoRoot } from './support/e2e.js';
import { enable, listPlugins, roomWith } from './support/plugin-helpers.js';
import { appManifest, runOp } from './support/sandbox-helpers.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';

const SECRET = 'the-host-admin-token-0123456789';

/** An app that answers `/run <op>` with what its folder's data.json holds. */
const appSource = (dataImport: string) => `
import { defineApp } from '${repoRoot}/sdk/index.js';
import data from '${dataImport}';
export default defineApp({
  start(ctx) {
    ctx.commands.handle('run', () => ({ text: JSON.stringify(data) }));
  },
});
`;

describe('sandbox: the app code the host reads', () => {
  let dir: string;
  let host: TestHost;

  /** Writes an app folder (its index.ts importing `dataImport`); returns the entry's path. */
  const appFolder = (name: string, dataImport: string): string => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'index.ts'), appSource(dataImport));
    return join(dir, name, 'index.ts');
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-app-code-'));
    writeFileSync(join(dir, 'host-config.json'), JSON.stringify({ auth: { adminToken: SECRET } }));

    const honest = appFolder('honest', './data.json');
    writeFileSync(join(dir, 'honest', 'data.json'), JSON.stringify({ greeting: 'from my own folder' }));
    const reaching = appFolder('reaching', join(dir, 'host-config.json'));
    const upward = appFolder('upward', '../host-config.json');
    const linked = appFolder('linked', './data.json');
    symlinkSync(join(dir, 'host-config.json'), join(dir, 'linked', 'data.json'));
    mkdirSync(join(dir, 'huge'));
    const huge = join(dir, 'huge', 'app.js');
    writeFileSync(huge, '');
    truncateSync(huge, MAX_APP_CODE_BYTES + 1);

    const entries = { honest, reaching, upward, linked, huge };
    host = await startTestHost({
      config: {
        sandbox: { workers: 1 },
        plugins: {
          enabled: Object.entries(entries).map(([id, entry]) =>
            enable(appManifest(id, { entry, permissions: { commands: {} } })),
          ),
        },
      },
    });
  });

  afterAll(async () => {
    await host?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("bundles an app's own files and the SDK, and runs it", async () => {
    const plugins = await listPlugins(host);
    expect(plugins.find((p) => p.id === 'honest')).toMatchObject({ status: 'running' });
    const user = await host.createUser();
    const room = await roomWith(host, user, ['honest']);
    const answer = await runOp(host, user, room.id, 'anything');
    expect(answer.value).toEqual({ greeting: 'from my own folder' });
  });

  it.each([
    ['reaching', 'an absolute path'],
    ['upward', 'a path up out of its folder'],
    ['linked', 'a symbolic link in its folder'],
  ])("refuses an import of the host's files by %s (%s), and starts nothing", async (id) => {
    const app = (await listPlugins(host)).find((p) => p.id === id);
    expect(app).toMatchObject({
      status: 'failed',
      error: { code: 'plugin_start_failed', message: expect.stringContaining("is outside the app's folder") },
    });
    expect(JSON.stringify(app)).not.toContain(SECRET);
  });

  it('refuses a bundle over the size limit before reading it', async () => {
    expect((await listPlugins(host)).find((p) => p.id === 'huge')).toMatchObject({
      status: 'failed',
      error: { code: 'plugin_start_failed', message: expect.stringContaining(`over the ${MAX_APP_CODE_BYTES}`) },
    });
  });
});
