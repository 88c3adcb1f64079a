/**
 * `switchboard build` and `pack`, with real esbuild on real files: a build is one script a bare
 * V8 context runs; forbidden imports fail, naming what is wrong; a pack is an archive whose
 * entries and hashes are read back here independently of the writer, and unpacked with tar.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../host/plugins/manifest-loader.js';
import { bundleApp } from '../sdk/cli/bundle-app.js';
import { CliError } from '../sdk/cli/cli-error.js';
import { buildCommand, packCommand, run, validateCommand } from '../sdk/cli/main.js';
import type { PluginManifest } from '../sdk/plugin/manifest.js';
import { capture, cliWorkspace, readManifest, writeManifest } from './support/cli-workspace.js';

const ws = cliWorkspace();

/** Entries of a ustar archive, parsed here independently of the writer (checksums included). */
function untar(archive: Buffer): { name: string; mode: number; data: Buffer }[] {
  const entries: { name: string; mode: number; data: Buffer }[] = [];
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('ascii')
        .replace(/\0.*$/s, '')
        .trim();
    expect(field(257, 6)).toBe('ustar');
    expect(field(156, 1)).toBe('0');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
    expect(parseInt(field(148, 8), 8)).toBe(sum);
    const size = parseInt(field(124, 12), 8);
    entries.push({
      name: field(0, 100),
      mode: parseInt(field(100, 8), 8),
      data: archive.subarray(offset + 512, offset + 512 + size),
    });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  // Two zero blocks end the archive.
  expect(archive.subarray(offset, offset + 1024).every((b) => b === 0)).toBe(true);
  expect(archive.length).toBe(offset + 1024);
  return entries;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

describe('switchboard build', () => {
  it('writes one script that a bare V8 context runs, leaving the app in __switchboard_app', async () => {
    const dir = await ws.newApp();
    const io = capture();
    expect(await buildCommand(dir, {}, io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/Built .*dist\/app\.js \(\d+ bytes\)\./);
    const code = readFileSync(join(dir, 'dist/app.js'), 'utf8');
    expect(code).not.toMatch(/\brequire\(|\bimport\s*\(/);

    const sandbox: Record<string, unknown> = {};
    runInNewContext(code, sandbox);
    const app = sandbox.__switchboard_app as { default: { start: (ctx: unknown) => Promise<void> | void } };
    expect(typeof app.default.start).toBe('function');

    // The scaffolded app works there: /hello replies and counts in storage.
    const handlers = new Map<string, (inv: unknown) => Promise<{ text: string }>>();
    const store = new Map<string, { value: unknown; version: number }>();
    await app.default.start({
      commands: {
        handle: (name: string, handler: (inv: unknown) => Promise<{ text: string }>) => {
          handlers.set(name, handler);
        },
      },
      storage: {
        get: (key: string) => Promise.resolve(store.get(key) ?? null),
        set: (key: string, value: unknown, options: { ifVersion?: number }) => {
          const version = store.get(key)?.version ?? 0;
          if (options.ifVersion !== undefined && options.ifVersion !== version)
            return Promise.reject(Object.assign(new Error('conflict'), { code: 'storage_conflict' }));
          store.set(key, { value, version: version + 1 });
          return Promise.resolve({ version: version + 1 });
        },
      },
    });
    const hello = handlers.get('hello')!;
    const invocation = (name: string) => ({
      command: 'hello',
      args: { name },
      text: name,
      conversationId: 'c1',
      userId: 'u1',
    });
    expect(await hello(invocation('Bob'))).toEqual({ text: 'Hello, Bob! That makes 1 greeting here.' });
    expect(await hello(invocation('Carol'))).toEqual({ text: 'Hello, Carol! That makes 2 greetings here.' });
  });

  it('writes where --out says, and bundles src/index.ts when the entry is the built script', async () => {
    const dir = await ws.newApp();
    writeManifest(dir, { ...readManifest(dir), entry: './dist/app.js' });
    const before = capture();
    expect(await validateCommand(dir, before)).toBe(0);
    expect(before.stderr.join('\n')).toContain(
      'warning /entry: ./dist/app.js does not exist yet; build makes the bundle from src/index.ts',
    );

    const out = join(ws.tmp, 'elsewhere', 'bundle.js');
    expect(await run(['build', dir, '--out', out], capture())).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('var __switchboard_app');
    expect(await run(['build', dir], capture())).toBe(0);
    const after = capture();
    expect(await validateCommand(dir, after)).toBe(0);
    expect(after.stderr).toEqual([]);
  });

  it('refuses to build an invalid app', async () => {
    const dir = await ws.newApp();
    writeManifest(dir, { ...readManifest(dir), permissions: { database: {} } });
    const io = capture();
    expect(await buildCommand(dir, {}, io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('error /permissions/database');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  it('fails on node:fs and child_process, naming each import and the file that imports it', async () => {
    const dir = await ws.appWithSource(
      [
        "import { defineApp } from '@switchboard/sdk';",
        "import { readFileSync } from 'node:fs';",
        "import { exec } from 'child_process';",
        'export default defineApp({ start() { void readFileSync; void exec; } });',
        '',
      ].join('\n'),
    );
    const file = join(dir, 'src/index.ts');
    const failure = await bundleApp(file).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(CliError);
    const message = (failure as CliError).message;
    expect(message).toMatch(/src\/index\.ts:2:\d+: "node:fs" is a Node built-in module/);
    expect(message).toMatch(/src\/index\.ts:3:\d+: "child_process" is a Node built-in module/);

    const io = capture();
    expect(await buildCommand(dir, {}, io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('"node:fs" is a Node built-in module');
    expect(existsSync(join(dir, 'dist/app.js'))).toBe(false);
  });

  it('fails on a package that is not installed, and on a dynamic import of a built-in in another file', async () => {
    const dir = await ws.appWithSource(
      [
        "import { defineApp } from '@switchboard/sdk';",
        "import pad from 'left-pad';",
        "import { load } from './load.js';",
        'export default defineApp({ start() { void pad; void load; } });',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'src/load.ts'), "export const load = () => import('node:path');\n");
    const message = await bundleApp(join(dir, 'src/index.ts')).then(
      () => '',
      (err: Error) => err.message,
    );
    expect(message).toMatch(/src\/index\.ts:2:\d+: Could not resolve "left-pad" \(is the package installed/);
    expect(message).toMatch(/src\/load\.ts:1:\d+: "node:path" is a Node built-in module/);
    expect(message).not.toContain('external');
  });

  it('bundles an npm package that shares a built-in name, since it is plain code', async () => {
    // The SDK by the host package's older specifier, which apps written before @switchboard/sdk use.
    const dir = await ws.appWithSource(
      [
        "import { defineApp } from 'switchboard/sdk';",
        "import EventEmitter from 'events';",
        'export default defineApp({ start() { new EventEmitter(); } });',
        '',
      ].join('\n'),
    );
    mkdirSync(join(dir, 'node_modules/events'), { recursive: true });
    writeFileSync(
      join(dir, 'node_modules/events/package.json'),
      JSON.stringify({ name: 'events', version: '3.3.0', main: 'index.js' }),
    );
    writeFileSync(
      join(dir, 'node_modules/events/index.js'),
      'export default class EventEmitter { marker() { return "polyfill"; } }\n',
    );
    const { code } = await bundleApp(join(dir, 'src/index.ts'));
    expect(code).toContain('"polyfill"');
  });
});

describe('switchboard pack', () => {
  it('writes <id>-<version>.sbapp.tgz: the folder <id>/ with manifest.json (entry ./app.js), app.js and SHA256SUMS', async () => {
    const dir = await ws.newApp('packed-app');
    const io = capture();
    expect(await packCommand(dir, io)).toBe(0);
    const file = join(dir, 'dist/packed-app-0.1.0.sbapp.tgz');
    expect(io.stdout.join('\n')).toMatch(
      /Packed .*dist\/packed-app-0\.1\.0\.sbapp\.tgz \(\d+ bytes\): packed-app\/ with manifest\.json, app\.js and SHA256SUMS\./,
    );

    const archive = readFileSync(file);
    expect([...archive.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const entries = untar(gunzipSync(archive));
    expect(entries.map((e) => e.name)).toEqual([
      'packed-app/manifest.json',
      'packed-app/app.js',
      'packed-app/SHA256SUMS',
    ]);
    const [manifestEntry, appEntry, sumsEntry] = entries as [
      (typeof entries)[0],
      (typeof entries)[0],
      (typeof entries)[0],
    ];

    const manifest = JSON.parse(manifestEntry.data.toString('utf8')) as PluginManifest & { $schema?: string };
    expect(manifest.entry).toBe('./app.js');
    expect(manifest.$schema).toBeUndefined();
    expect({ ...manifest, entry: './src/index.ts' }).toEqual(
      (({ $schema: _, ...rest }) => rest)(readManifest(dir) as PluginManifest & { $schema?: string }),
    );
    expect(appEntry.data.equals(readFileSync(join(dir, 'dist/app.js')))).toBe(true);
    expect(appEntry.mode).toBe(0o644);
    expect(sumsEntry.data.toString('utf8')).toBe(
      `${sha256(appEntry.data)}  app.js\n${sha256(manifestEntry.data)}  manifest.json\n`,
    );

    // Unpacked as an operator would, into an apps folder: the app gets a folder of its own, and
    // its manifest loads in the host with the entry next to it.
    const apps = join(ws.tmp, 'apps');
    mkdirSync(apps);
    await extract({ file, cwd: apps });
    expect(readdirSync(apps)).toEqual(['packed-app']);
    expect(loadManifest(join(apps, 'packed-app/manifest.json')).entryFile).toBe(join(apps, 'packed-app/app.js'));
    expect(readFileSync(join(apps, 'packed-app/app.js')).equals(appEntry.data)).toBe(true);

    // Packing again gives the same bytes: fixed times, and paths independent of the working folder.
    expect(await packCommand(dir, capture())).toBe(0);
    expect(readFileSync(file).equals(archive)).toBe(true);
  });

  it('does not pack an invalid app', async () => {
    const dir = await ws.newApp();
    writeManifest(dir, { ...readManifest(dir), engine: 'not a range' });
    const io = capture();
    expect(await packCommand(dir, io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('error /engine: engine "not a range" is not a semver range');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});
