/**
 * The SDK's command-line tool, on real files in a temporary folder with real esbuild: a new app
 * validates, builds to a script a bare V8 context can run, and packs to an archive whose
 * entries and hashes are read back here; broken manifests and forbidden imports fail, naming
 * what is wrong. One run goes through a real child process for the exit codes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { gunzipSync } from 'node:zlib';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../host/plugins/manifest-loader.js';
import { bundleApp } from '../sdk/cli/bundle-app.js';
import { CliError } from '../sdk/cli/cli-error.js';
import { buildCommand, newCommand, packCommand, run, USAGE, validateCommand, type CliOutput } from '../sdk/cli/main.js';
import { tarArchive } from '../sdk/cli/tar-writer.js';
import type { PluginManifest } from '../sdk/plugin/manifest.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let tmp: string;

beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), 'switchboard-cli-')); });
afterAll(() => { rmSync(tmp, { recursive: true, force: true }); });

/** Captures what a command prints. */
function capture(): CliOutput & { stdout: string[]; stderr: string[]; text(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => { stdout.push(l); }, err: (l) => { stderr.push(l); }, text: () => [...stdout, ...stderr].join('\n') };
}

let appCount = 0;
/** A fresh app made by `new`, in its own folder. */
async function newApp(id = `app-${++appCount}`): Promise<string> {
  const dir = join(tmp, id);
  const io = capture();
  expect(await newCommand(dir, {}, io), io.text()).toBe(0);
  return dir;
}

function writeManifest(dir: string, manifest: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

function readManifest(dir: string): PluginManifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as PluginManifest;
}

/** An app whose src/index.ts is `source`, with a valid manifest. */
async function appWithSource(source: string): Promise<string> {
  const dir = await newApp();
  writeFileSync(join(dir, 'src/index.ts'), source);
  return dir;
}

/** Entries of a ustar archive, parsed here independently of the writer (checksums included). */
function untar(archive: Buffer): { name: string; mode: number; data: Buffer }[] {
  const entries: { name: string; mode: number; data: Buffer }[] = [];
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString('ascii').replace(/\0.*$/s, '').trim();
    expect(field(257, 6)).toBe('ustar');
    expect(field(156, 1)).toBe('0');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
    expect(parseInt(field(148, 8), 8)).toBe(sum);
    const size = parseInt(field(124, 12), 8);
    entries.push({ name: field(0, 100), mode: parseInt(field(100, 8), 8), data: archive.subarray(offset + 512, offset + 512 + size) });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  // Two zero blocks end the archive.
  expect(archive.subarray(offset, offset + 1024).every((b) => b === 0)).toBe(true);
  expect(archive.length).toBe(offset + 1024);
  return entries;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

describe('switchboard new', () => {
  it('scaffolds an app that validates, and that the host would load', async () => {
    const dir = join(tmp, 'greeter');
    const io = capture();
    expect(await newCommand(dir, { name: 'The Greeter' }, io)).toBe(0);
    for (const file of ['manifest.json', 'src/index.ts', 'test/app.test.ts', 'package.json', 'tsconfig.json', 'README.md']) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    const manifest = readManifest(dir);
    expect(manifest).toMatchObject({
      id: 'greeter', name: 'The Greeter', runtime: 'sandbox', engine: '^1.0.0', entry: './src/index.ts',
      permissions: { commands: {}, storage: {}, 'messages.send': {} }, limits: { memoryMb: 32 },
    });
    expect(manifest.contributes?.commands?.map((c) => [c.name, c.arguments?.map((a) => a.name)])).toEqual([['hello', ['name']]]);
    // The host's own loader accepts what the CLI writes, so the two cannot drift apart unseen.
    expect(loadManifest(join(dir, 'manifest.json')).manifest.id).toBe('greeter');

    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type: string; scripts: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.type).toBe('module');
    expect(pkg.scripts).toMatchObject({ build: 'switchboard build', validate: 'switchboard validate', pack: 'switchboard pack', test: 'vitest run' });
    // The relative file: link really points at this checkout.
    expect(resolve(dir, pkg.devDependencies.switchboard!.replace(/^file:/, ''))).toBe(root);
    expect(readFileSync(join(dir, 'src/index.ts'), 'utf8')).toMatch(/import \{ defineApp.* from 'switchboard\/sdk'/);
    expect(readFileSync(join(dir, 'test/app.test.ts'), 'utf8')).toContain("from 'switchboard/sdk/testing'");

    const check = capture();
    expect(await validateCommand(dir, check)).toBe(0);
    expect(check.stderr).toEqual([]);
    expect(check.stdout.join('\n')).toContain('is valid: greeter 0.1.0');
  });

  /** Type errors in the scaffold's files, checked against this checkout's SDK. */
  function typeErrors(files: string[], paths: Record<string, string[]>): string[] {
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts'], types: ['node'], typeRoots: [join(root, 'node_modules/@types')],
      strict: true, noEmit: true, isolatedModules: true, skipLibCheck: true, paths,
    });
    return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  }

  it('scaffolds an app whose source type-checks against the SDK', async () => {
    const dir = await newApp();
    expect(typeErrors([join(dir, 'src/index.ts')], { 'switchboard/sdk': [join(root, 'sdk/index.ts')] })).toEqual([]);
  });

  // The app harness (sdk/testing) is written separately; until it exists this check is skipped.
  const harness = join(root, 'sdk/testing/app-harness.ts');
  it.skipIf(!existsSync(harness))('scaffolds a test that type-checks against the app harness', async () => {
    const dir = await newApp();
    expect(typeErrors([join(dir, 'test/app.test.ts')], { 'switchboard/sdk': [join(root, 'sdk/index.ts')], 'switchboard/sdk/testing': [harness], vitest: [join(root, 'node_modules/vitest/dist/index.d.ts')] })).toEqual([]);
  });

  it('refuses a folder that is not empty, and touches nothing in it', async () => {
    const dir = join(tmp, 'busy-app');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const io = capture();
    expect(await newCommand(dir, {}, io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/busy-app is not empty \(it holds notes\.txt\)/);
    expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('refuses an invalid id, given or taken from the folder name', async () => {
    const given = capture();
    expect(await newCommand(join(tmp, 'fine-name'), { id: 'No_Way' }, given)).toBe(1);
    expect(given.stderr.join('\n')).toContain('"No_Way" is not a valid app id');
    expect(existsSync(join(tmp, 'fine-name'))).toBe(false);

    const fromFolder = capture();
    expect(await run(['new', join(tmp, 'ab')], fromFolder)).toBe(1);
    expect(fromFolder.stderr.join('\n')).toContain('"ab" is not a valid app id (taken from the folder name; pass --id <id>)');

    const withOption = capture();
    expect(await run(['new', join(tmp, 'ab'), '--id', 'abc-app'], withOption)).toBe(0);
    expect(readManifest(join(tmp, 'ab')).id).toBe('abc-app');
  });
});

describe('switchboard validate', () => {
  const broken = {
    id: 'Bad_Id',
    name: 'Broken',
    version: '1.0.0',
    description: 'Every mistake at once.',
    author: 'Tests',
    engine: '^1.0.0',
    runtime: 'sandbox',
    entry: './src/missing.ts',
    permissions: { teleport: {}, database: {}, storage: {} },
  };

  it('lists every error by JSON path and exits 1', async () => {
    const dir = join(tmp, 'broken');
    writeManifest(dir, broken);
    const io = capture();
    expect(await validateCommand(dir, io)).toBe(1);
    expect(io.stdout).toEqual([]);
    expect(io.stderr[0]).toMatch(/broken\/manifest\.json: 4 errors$/);
    expect(io.stderr.slice(1)).toEqual([
      '  error /entry: the entry file ./src/missing.ts does not exist',
      '  error /id: id must match pattern "^[a-z][a-z0-9-]{2,31}$"',
      '  error /permissions/database: database is for trusted plugins only; a sandboxed app keeps its data with the storage permission',
      '  error /permissions/teleport: "teleport" is not a known permission',
    ]);
  });

  it('refuses a trusted runtime and an engine range without this plugin API', async () => {
    const dir = join(tmp, 'trusted');
    writeManifest(dir, { ...broken, id: 'trusted-one', permissions: {}, entry: './index.ts', runtime: 'trusted', engine: '^2.0.0', limits: { memoryMb: 4 } });
    writeFileSync(join(dir, 'index.ts'), 'export default {};\n');
    const io = capture();
    expect(await validateCommand(dir, io)).toBe(1);
    expect(io.stderr.slice(1).map((l) => l.split(':')[0])).toEqual(['  error /engine', '  error /limits/memoryMb', '  error /runtime']);
    expect(io.text()).toContain('does not include 1.0.0');
    expect(io.text()).toContain('runtime must be "sandbox"');
  });

  it('warns, without failing, about a contribution whose permission is not requested', async () => {
    const dir = await newApp();
    const manifest = readManifest(dir);
    delete manifest.permissions!.commands;
    writeManifest(dir, { ...manifest });
    const io = capture();
    expect(await validateCommand(dir, io)).toBe(0);
    expect(io.stderr).toEqual(['  warning /contributes/commands: declared, but the "commands" permission is not requested: registering a handler will throw PermissionDeniedError']);
  });

  it('reports a manifest that is not JSON, and a folder without one', async () => {
    const dir = join(tmp, 'not-json');
    mkdirSync(dir);
    writeFileSync(join(dir, 'manifest.json'), '{ "id": ');
    const io = capture();
    expect(await validateCommand(dir, io)).toBe(1);
    expect(io.stderr[1]).toMatch(/^ {2}error \/: manifest\.json is not valid JSON/);

    const none = capture();
    expect(await validateCommand(join(tmp, 'nowhere'), none)).toBe(1);
    expect(none.stderr.join('\n')).toMatch(/There is no manifest\.json in .*nowhere/);
  });

  it('exits 1 or 0 as a real child process, printing the problems', async () => {
    const bad = join(tmp, 'broken-child');
    writeManifest(bad, broken);
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'sdk/cli/main.ts', ...args], { cwd: root, encoding: 'utf8' });

    const failed = cli('validate', bad);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('  error /permissions/teleport: "teleport" is not a known permission');
    expect(failed.stderr).toContain('  error /entry: the entry file ./src/missing.ts does not exist');

    const passed = cli('validate', await newApp());
    expect(passed.stderr).toBe('');
    expect(passed.status).toBe(0);
    expect(passed.stdout).toMatch(/is valid: app-\d+ 0\.1\.0/);

    const unknown = cli('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('error: unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage:');
  });
});

describe('switchboard build', () => {
  it('writes one script that a bare V8 context runs, leaving the app in __switchboard_app', async () => {
    const dir = await newApp();
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
      commands: { handle: (name: string, handler: (inv: unknown) => Promise<{ text: string }>) => { handlers.set(name, handler); } },
      storage: {
        get: async (key: string) => store.get(key) ?? null,
        set: async (key: string, value: unknown, options: { ifVersion?: number }) => {
          const version = store.get(key)?.version ?? 0;
          if (options.ifVersion !== undefined && options.ifVersion !== version) throw Object.assign(new Error('conflict'), { code: 'storage_conflict' });
          store.set(key, { value, version: version + 1 });
          return { version: version + 1 };
        },
      },
    });
    const hello = handlers.get('hello')!;
    const invocation = (name: string) => ({ command: 'hello', args: { name }, text: name, conversationId: 'c1', userId: 'u1' });
    expect(await hello(invocation('Bob'))).toEqual({ text: 'Hello, Bob! That makes 1 greeting here.' });
    expect(await hello(invocation('Carol'))).toEqual({ text: 'Hello, Carol! That makes 2 greetings here.' });
  });

  it('writes where --out says, and bundles src/index.ts when the entry is the built script', async () => {
    const dir = await newApp();
    writeManifest(dir, { ...readManifest(dir), entry: './dist/app.js' });
    const before = capture();
    expect(await validateCommand(dir, before)).toBe(0);
    expect(before.stderr.join('\n')).toContain('warning /entry: ./dist/app.js does not exist yet; build makes the bundle from src/index.ts');

    const out = join(tmp, 'elsewhere', 'bundle.js');
    expect(await run(['build', dir, '--out', out], capture())).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('var __switchboard_app');
    expect(await run(['build', dir], capture())).toBe(0);
    const after = capture();
    expect(await validateCommand(dir, after)).toBe(0);
    expect(after.stderr).toEqual([]);
  });

  it('refuses to build an invalid app', async () => {
    const dir = await newApp();
    writeManifest(dir, { ...readManifest(dir), permissions: { database: {} } });
    const io = capture();
    expect(await buildCommand(dir, {}, io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('error /permissions/database');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  it('fails on node:fs and child_process, naming each import and the file that imports it', async () => {
    const dir = await appWithSource([
      "import { defineApp } from 'switchboard/sdk';",
      "import { readFileSync } from 'node:fs';",
      "import { exec } from 'child_process';",
      'export default defineApp({ start() { void readFileSync; void exec; } });',
      '',
    ].join('\n'));
    const file = join(dir, 'src/index.ts');
    const failure = await bundleApp(file).then(() => null, (err: unknown) => err);
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
    const dir = await appWithSource([
      "import { defineApp } from 'switchboard/sdk';",
      "import pad from 'left-pad';",
      "import { load } from './load.js';",
      'export default defineApp({ start() { void pad; void load; } });',
      '',
    ].join('\n'));
    writeFileSync(join(dir, 'src/load.ts'), "export const load = () => import('node:path');\n");
    const message = await bundleApp(join(dir, 'src/index.ts')).then(() => '', (err: Error) => err.message);
    expect(message).toMatch(/src\/index\.ts:2:\d+: Could not resolve "left-pad" \(is the package installed/);
    expect(message).toMatch(/src\/load\.ts:1:\d+: "node:path" is a Node built-in module/);
    expect(message).not.toContain('external');
  });

  it('bundles an npm package that shares a built-in name, since it is plain code', async () => {
    const dir = await appWithSource([
      "import { defineApp } from 'switchboard/sdk';",
      "import EventEmitter from 'events';",
      'export default defineApp({ start() { new EventEmitter(); } });',
      '',
    ].join('\n'));
    mkdirSync(join(dir, 'node_modules/events'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/events/package.json'), JSON.stringify({ name: 'events', version: '3.3.0', main: 'index.js' }));
    writeFileSync(join(dir, 'node_modules/events/index.js'), 'export default class EventEmitter { marker() { return "polyfill"; } }\n');
    const { code } = await bundleApp(join(dir, 'src/index.ts'));
    expect(code).toContain('"polyfill"');
  });
});

describe('switchboard pack', () => {
  it('writes <id>-<version>.sbapp.tgz: manifest.json (entry ./app.js), app.js and SHA256SUMS', async () => {
    const dir = await newApp('packed-app');
    const io = capture();
    expect(await packCommand(dir, io)).toBe(0);
    const file = join(dir, 'dist/packed-app-0.1.0.sbapp.tgz');
    expect(io.stdout.join('\n')).toMatch(/Packed .*dist\/packed-app-0\.1\.0\.sbapp\.tgz \(\d+ bytes\)\./);

    const archive = readFileSync(file);
    expect([...archive.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const entries = untar(gunzipSync(archive));
    expect(entries.map((e) => e.name)).toEqual(['manifest.json', 'app.js', 'SHA256SUMS']);
    const [manifestEntry, appEntry, sumsEntry] = entries as [typeof entries[0], typeof entries[0], typeof entries[0]];

    const manifest = JSON.parse(manifestEntry.data.toString('utf8')) as PluginManifest & { $schema?: string };
    expect(manifest.entry).toBe('./app.js');
    expect(manifest.$schema).toBeUndefined();
    expect({ ...manifest, entry: './src/index.ts' }).toEqual((({ $schema: _, ...rest }) => rest)(readManifest(dir) as PluginManifest & { $schema?: string }));
    expect(appEntry.data.equals(readFileSync(join(dir, 'dist/app.js')))).toBe(true);
    expect(appEntry.mode).toBe(0o644);
    expect(sumsEntry.data.toString('utf8')).toBe(`${sha256(appEntry.data)}  app.js\n${sha256(manifestEntry.data)}  manifest.json\n`);

    // The packed manifest loads in the host, with its entry next to it.
    const unpacked = join(tmp, 'unpacked');
    mkdirSync(unpacked);
    for (const e of entries) writeFileSync(join(unpacked, e.name), e.data);
    expect(loadManifest(join(unpacked, 'manifest.json')).entryFile).toBe(join(unpacked, 'app.js'));

    // Packing again gives the same bytes: fixed times, and paths independent of the working folder.
    expect(await packCommand(dir, capture())).toBe(0);
    expect(readFileSync(file).equals(archive)).toBe(true);
  });

  it('does not pack an invalid app', async () => {
    const dir = await newApp();
    writeManifest(dir, { ...readManifest(dir), engine: 'not a range' });
    const io = capture();
    expect(await packCommand(dir, io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('error /engine: engine "not a range" is not a semver range');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  it('pads entries to 512-byte blocks and refuses names it cannot store', () => {
    const entries = untar(tarArchive([{ name: 'a.txt', data: 'x'.repeat(513) }, { name: 'dir/b', data: '' }]));
    expect(entries.map((e) => [e.name, e.data.length])).toEqual([['a.txt', 513], ['dir/b', 0]]);
    expect(() => tarArchive([{ name: '../escape', data: '' }])).toThrow(CliError);
    expect(() => tarArchive([{ name: `${'n'.repeat(101)}`, data: '' }])).toThrow(/at most 100/);
  });
});

describe('switchboard command line', () => {
  it('prints the usage for help and no arguments, and exits 2 on wrong usage', async () => {
    for (const argv of [[], ['help'], ['--help'], ['build', '--help']]) {
      const io = capture();
      expect(await run(argv, io)).toBe(0);
      expect(io.stdout).toEqual([USAGE]);
    }
    const cases: [string[], string][] = [
      [['frob'], 'unknown command "frob"'],
      [['build', '--bogus'], 'unknown option --bogus'],
      [['new', 'x', '--out', 'y'], 'unknown option --out'],
      [['new'], 'new needs the folder'],
      [['new', 'x', '--id'], '--id needs a value'],
      [['validate', 'a', 'b'], 'takes at most one folder'],
    ];
    for (const [argv, message] of cases) {
      const io = capture();
      expect(await run(argv, io), argv.join(' ')).toBe(2);
      expect(io.stderr[0]).toMatch(/^error: /);
      expect(io.stderr[0]).toContain(message);
      expect(io.stderr).toContain(USAGE);
    }
  });
});
