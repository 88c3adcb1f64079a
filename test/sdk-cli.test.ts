/**
 * The SDK's command-line tool, on real files in a temporary folder: `new` makes an app that
 * validates and type-checks, `validate` names every problem by JSON path, and one run goes
 * through a real child process for the exit codes. Building and packing are in
 * sdk-cli-build.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../host/plugins/manifest-loader.js';
import { SwitchboardError } from '../sdk/errors/switchboard-error.js';
import type { PluginManifest } from '../sdk/plugin/manifest.js';
import { newCommand, run, USAGE, validateCommand } from '../sdk/cli/main.js';
import sdkPackage from '../sdk/package.json' with { type: 'json' };
import { capture, cliWorkspace, readManifest, writeManifest } from './support/cli-workspace.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ws = cliWorkspace();

describe('switchboard new', () => {
  it('scaffolds an app that validates, and that the host would load', async () => {
    const dir = join(ws.tmp, 'greeter');
    const io = capture();
    expect(await newCommand(dir, { name: 'The Greeter' }, io)).toBe(0);
    for (const file of [
      'manifest.json',
      'src/index.ts',
      'test/app.test.ts',
      'package.json',
      'tsconfig.json',
      'vitest.config.ts',
      'README.md',
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    // The harness starts a host: several seconds on a busy machine, past vitest's default 5 s.
    expect(readFileSync(join(dir, 'vitest.config.ts'), 'utf8')).toContain(
      'test: { testTimeout: 60_000, hookTimeout: 60_000 }',
    );
    const manifest = readManifest(dir);
    expect(manifest).toMatchObject({
      id: 'greeter',
      name: 'The Greeter',
      runtime: 'sandbox',
      engine: '^1.0.0',
      entry: './src/index.ts',
      permissions: { commands: {}, storage: {}, 'messages.send': {} },
      limits: { memoryMb: 32 },
    });
    expect(manifest.contributes?.commands?.map((c) => [c.name, c.arguments?.map((a) => a.name)])).toEqual([
      ['hello', ['name']],
    ]);
    // The host's own loader accepts what the CLI writes, so the two cannot drift apart unseen.
    expect(loadManifest(join(dir, 'manifest.json')).manifest.id).toBe('greeter');

    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      type: string;
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.type).toBe('module');
    expect(pkg.scripts).toMatchObject({
      build: 'switchboard build',
      validate: 'switchboard validate',
      pack: 'switchboard pack',
      typecheck: 'tsc -p .',
      test: 'vitest run',
    });
    // Usable outside this checkout: the SDK by name and version, no file: link, its own TypeScript.
    expect(pkg.devDependencies).toMatchObject({
      '@switchboard/sdk': `^${sdkPackage.version}`,
      switchboard: sdkPackage.peerDependencies.switchboard,
      typescript: expect.any(String),
    });
    expect(JSON.stringify(pkg)).not.toContain('file:');
    expect(readFileSync(join(dir, 'src/index.ts'), 'utf8')).toMatch(/import \{ defineApp.* from '@switchboard\/sdk'/);
    expect(readFileSync(join(dir, 'test/app.test.ts'), 'utf8')).toContain("from '@switchboard/sdk/testing'");

    const check = capture();
    expect(await validateCommand(dir, check)).toBe(0);
    expect(check.stderr).toEqual([]);
    expect(check.stdout.join('\n')).toContain('is valid: greeter 0.1.0');
  });

  /** Type errors in the scaffold's files, checked against this checkout's SDK. */
  function typeErrors(files: string[], paths: Record<string, string[]>): string[] {
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts'],
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
      strict: true,
      noEmit: true,
      isolatedModules: true,
      skipLibCheck: true,
      paths,
    });
    return ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  }

  it('scaffolds an app whose source type-checks against the SDK', async () => {
    const dir = await ws.newApp();
    expect(typeErrors([join(dir, 'src/index.ts')], { '@switchboard/sdk': [join(root, 'sdk/index.ts')] })).toEqual([]);
  });

  // The app harness (sdk/testing) is written separately; until it exists this check is skipped.
  const harness = join(root, 'sdk/testing/app-harness.ts');
  it.skipIf(!existsSync(harness))('scaffolds a test that type-checks against the app harness', async () => {
    const dir = await ws.newApp();
    expect(
      typeErrors([join(dir, 'test/app.test.ts')], {
        '@switchboard/sdk': [join(root, 'sdk/index.ts')],
        '@switchboard/sdk/testing': [harness],
        vitest: [join(root, 'node_modules/vitest/dist/index.d.ts')],
      }),
    ).toEqual([]);
  });

  it('refuses a folder that is not empty, and touches nothing in it', async () => {
    const dir = join(ws.tmp, 'busy-app');
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
    expect(await newCommand(join(ws.tmp, 'fine-name'), { id: 'No_Way' }, given)).toBe(1);
    expect(given.stderr.join('\n')).toContain('"No_Way" is not a valid app id');
    expect(existsSync(join(ws.tmp, 'fine-name'))).toBe(false);

    const fromFolder = capture();
    expect(await run(['new', join(ws.tmp, 'ab')], fromFolder)).toBe(1);
    expect(fromFolder.stderr.join('\n')).toContain(
      '"ab" is not a valid app id (taken from the folder name; pass --id <id>)',
    );

    const withOption = capture();
    expect(await run(['new', join(ws.tmp, 'ab'), '--id', 'abc-app'], withOption)).toBe(0);
    expect(readManifest(join(ws.tmp, 'ab')).id).toBe('abc-app');
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
    const dir = join(ws.tmp, 'broken');
    writeManifest(dir, broken);
    const io = capture();
    expect(await validateCommand(dir, io)).toBe(1);
    expect(io.stdout).toEqual([]);
    expect(io.stderr[0]).toMatch(/broken\/manifest\.json: 4 errors$/);
    expect(io.stderr.slice(1)).toEqual([
      '  error /entry: the entry file ./src/missing.ts does not exist',
      '  error /id: id must be 3 to 32 lower-case letters, digits or dashes, starting with a letter',
      '  error /permissions/database: database is for trusted plugins only; a sandboxed app keeps its data with the storage permission',
      '  error /permissions/teleport: "teleport" is not a known permission',
    ]);
  });

  it('names an array item with its array, and a field in an empty scope once', async () => {
    const dir = join(ws.tmp, 'typos');
    writeManifest(dir, {
      ...broken,
      id: 'typos',
      entry: './index.ts',
      permissions: { events: { events: ['message.create'] }, 'attachments.write': { maxBytes: 1 } },
    });
    writeFileSync(join(dir, 'index.ts'), 'export default {};\n');
    const io = capture();
    expect(await validateCommand(dir, io)).toBe(1);
    expect(io.stderr.slice(1)).toEqual([
      '  error /permissions/attachments.write/maxBytes: "maxBytes" is not an allowed field',
      '  error /permissions/events/events/0: events[0] must be one of "message.created", "message.updated", "conversation.member_added", "conversation.member_removed"',
    ]);
  });

  it('refuses a trusted runtime and an engine range without this plugin API', async () => {
    const dir = join(ws.tmp, 'trusted');
    writeManifest(dir, {
      ...broken,
      id: 'trusted-one',
      permissions: {},
      entry: './index.ts',
      runtime: 'trusted',
      engine: '^2.0.0',
      limits: { memoryMb: 4 },
    });
    writeFileSync(join(dir, 'index.ts'), 'export default {};\n');
    const io = capture();
    expect(await validateCommand(dir, io)).toBe(1);
    expect(io.stderr.slice(1).map((l) => l.split(':')[0])).toEqual([
      '  error /engine',
      '  error /limits/memoryMb',
      '  error /runtime',
    ]);
    expect(io.text()).toContain('does not include 1.0.0');
    expect(io.text()).toContain('runtime must be "sandbox"');
  });

  it('warns, without failing, about a contribution whose permission is not requested', async () => {
    const dir = await ws.newApp();
    const manifest = readManifest(dir);
    delete manifest.permissions!.commands;
    writeManifest(dir, { ...manifest });
    const io = capture();
    expect(await validateCommand(dir, io)).toBe(0);
    expect(io.stderr).toEqual([
      '  warning /contributes/commands: declared, but the "commands" permission is not requested: registering a handler will throw PermissionDeniedError',
    ]);
  });

  it('reports a manifest that is not JSON, and a folder without one', async () => {
    const dir = join(ws.tmp, 'not-json');
    mkdirSync(dir);
    writeFileSync(join(dir, 'manifest.json'), '{ "id": ');
    const io = capture();
    expect(await validateCommand(dir, io)).toBe(1);
    expect(io.stderr[1]).toMatch(/^ {2}error \/: manifest\.json is not valid JSON/);

    const none = capture();
    expect(await validateCommand(join(ws.tmp, 'nowhere'), none)).toBe(1);
    expect(none.stderr.join('\n')).toMatch(/There is no manifest\.json in .*nowhere/);
  });

  it('exits 1 or 0 as a real child process, printing the problems', async () => {
    const bad = join(ws.tmp, 'broken-child');
    writeManifest(bad, broken);
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'sdk/cli/main.ts', ...args], { cwd: root, encoding: 'utf8' });

    const failed = cli('validate', bad);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('  error /permissions/teleport: "teleport" is not a known permission');
    expect(failed.stderr).toContain('  error /entry: the entry file ./src/missing.ts does not exist');

    const passed = cli('validate', await ws.newApp());
    expect(passed.stderr).toBe('');
    expect(passed.status).toBe(0);
    expect(passed.stdout).toMatch(/is valid: app-\d+ 0\.1\.0/);

    const unknown = cli('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('error: unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage:');
  });
});

describe('one manifest check for the CLI and the host', () => {
  // Each case breaks one rule in an app `new` made. `validate` must refuse all the host refuses,
  // with the same problems, so an app the CLI passes never fails to load for its manifest.
  const cases: [string, (m: PluginManifest) => Record<string, unknown>, string, string][] = [
    [
      'a dependency on itself',
      (m) => ({ ...m, dependencies: { [m.id]: '^0.1.0' } }),
      'manifest_invalid',
      '/dependencies/<id>',
    ],
    [
      'database in a sandboxed app',
      (m) => ({ ...m, permissions: { ...m.permissions, database: {} } }),
      'manifest_invalid',
      '/permissions/database',
    ],
    [
      'a command declared twice',
      (m) => ({ ...m, contributes: { commands: [...m.contributes!.commands!, ...m.contributes!.commands!] } }),
      'manifest_invalid',
      '/contributes/commands/1/name',
    ],
    [
      'a message type of another id',
      (m) => ({ ...m, contributes: { ...m.contributes, messageTypes: [{ type: 'someone.card', schema: {} }] } }),
      'manifest_invalid',
      '/contributes/messageTypes/0/type',
    ],
    [
      'a dependency range that is not semver',
      (m) => ({ ...m, dependencies: { 'other-app': 'soon' } }),
      'manifest_invalid',
      '/dependencies/other-app',
    ],
    [
      'an unknown permission',
      (m) => ({ ...m, permissions: { ...m.permissions, teleport: {} } }),
      'manifest_invalid',
      '/permissions/teleport',
    ],
    ['an engine without this plugin API', (m) => ({ ...m, engine: '^2.0.0' }), 'plugin_engine_mismatch', '/engine'],
  ];
  for (const [name, change, code, path] of cases) {
    it(`refuses ${name} in both`, async () => {
      const dir = await ws.newApp();
      const manifest = readManifest(dir);
      writeManifest(dir, change(manifest));
      const hostError = (() => {
        try {
          loadManifest(join(dir, 'manifest.json'));
          return null;
        } catch (err) {
          return err as SwitchboardError;
        }
      })();
      expect(hostError).toBeInstanceOf(SwitchboardError);
      expect(hostError!.code).toBe(code);
      const details = hostError!.details ?? [];
      expect(details.map((d) => d.path)).toContain(path.replace('<id>', manifest.id));

      const io = capture();
      expect(await validateCommand(dir, io)).toBe(1);
      expect(io.stderr.slice(1)).toEqual(details.map((d) => `  error ${d.path}: ${d.message}`));
    });
  }
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
      [['new', 'x', '--id', '--name', 'y'], '--id needs a value'],
      [['new', 'x', '--id', 'a-app', '--id=b-app'], '--id is given twice'],
      [['pack', '-x'], 'unknown option -x'],
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
