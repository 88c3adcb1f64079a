/**
 * `switchboard new`: a small app project that already validates, builds, packs and has a test,
 * so an author starts from something that works and changes it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLUGIN_API_VERSION, type PluginManifest } from '../plugin/manifest.js';
import sdkPackage from '../package.json' with { type: 'json' };
import { PLUGIN_ID_PATTERN } from '../manifest-check/check-manifest.js';
import { CliError } from './cli-error.js';

export interface ScaffoldOptions {
  /** Defaults to the folder's name. */
  id?: string;
  /** Display name; defaults to one made from the id. */
  name?: string;
}

export interface ScaffoldedApp {
  dir: string;
  id: string;
  name: string;
  /** Relative to `dir`, "/"-separated, in the order written. */
  files: string[];
}

const templatesDir = fileURLToPath(new URL('./templates/', import.meta.url));

/** The TypeScript the scaffold type-checks with: the version the SDK itself is written against. */
export const SCAFFOLD_TYPESCRIPT = '~5.9.3';

export function scaffoldApp(dir: string, options: ScaffoldOptions = {}): ScaffoldedApp {
  const root = resolve(dir);
  const id = options.id ?? basename(root);
  if (!PLUGIN_ID_PATTERN.test(id)) {
    const hint = options.id === undefined ? ` (taken from the folder name; pass --id <id>)` : '';
    throw new CliError(
      `"${id}" is not a valid app id${hint}: 3-32 lower-case letters, digits and dashes, starting with a letter (${PLUGIN_ID_PATTERN.source}).`,
    );
  }
  const name = options.name ?? titleOf(id);
  if (name.trim().length === 0 || name.length > 64) {
    throw new CliError(`The app name must have 1-64 characters; "${name}" has ${name.length}.`);
  }
  if (existsSync(root)) {
    if (!statSync(root).isDirectory()) throw new CliError(`${root} exists and is not a folder.`);
    const present = readdirSync(root);
    if (present.length > 0) {
      throw new CliError(
        `${root} is not empty (it holds ${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}); new only writes into an empty or new folder, so that it overwrites nothing.`,
      );
    }
  }

  const manifest: PluginManifest & { $schema: string } = {
    // Editors use it once `npm install` has put the SDK in node_modules; the host ignores it.
    $schema: `./node_modules/${sdkPackage.name}/plugin/manifest-schema.json`,
    id,
    name,
    version: '0.1.0',
    description: `${name}: a Switchboard mini-app that greets people.`,
    author: 'Your Name',
    engine: `^${PLUGIN_API_VERSION}`,
    runtime: 'sandbox',
    entry: './src/index.ts',
    permissions: { commands: {}, storage: {}, 'messages.send': {} },
    contributes: {
      commands: [
        {
          name: 'hello',
          description: 'Greets someone, and counts the greetings in this conversation.',
          arguments: [{ name: 'name', description: 'Who to greet.', required: true, type: 'rest' }],
        },
      ],
    },
    limits: { memoryMb: 32 },
  };

  // The app depends on the SDK by name and version, as on any package, so it builds wherever
  // it is; the host is only for the tests' app harness, which starts one in-process.
  const packageJson = {
    name: id,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      build: 'switchboard build',
      validate: 'switchboard validate',
      pack: 'switchboard pack',
      typecheck: 'tsc -p .',
      test: 'vitest run',
    },
    devDependencies: {
      [sdkPackage.name]: `^${sdkPackage.version}`,
      '@types/node': '^24.0.0',
      switchboard: sdkPackage.peerDependencies.switchboard,
      typescript: SCAFFOLD_TYPESCRIPT,
      vitest: '^3.2.4',
    },
  };

  // For tsc, editors and vitest: the app is bundled by esbuild, so "Bundler" resolution is what
  // finds '@switchboard/sdk' through the SDK package's exports.
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib: ['ES2022'],
      types: ['node'],
      strict: true,
      noEmit: true,
      isolatedModules: true,
      skipLibCheck: true,
    },
    include: ['src', 'test'],
  };

  const vars = { id, name };
  const files: [string, string][] = [
    ['manifest.json', json(manifest)],
    ['src/index.ts', template('index.ts.tmpl', vars)],
    ['test/app.test.ts', template('app.test.ts.tmpl', vars)],
    ['package.json', json(packageJson)],
    ['tsconfig.json', json(tsconfig)],
    ['vitest.config.ts', template('vitest.config.ts.tmpl', vars)],
    ['README.md', template('README.md.tmpl', vars)],
    ['.gitignore', 'node_modules/\ndist/\n'],
  ];
  for (const [file, text] of files) {
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, { flag: 'wx' });
  }
  return { dir: root, id, name, files: files.map(([file]) => file) };
}

/** "hello-app" → "Hello app". */
function titleOf(id: string): string {
  const words = id.split('-').filter(Boolean).join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function template(file: string, vars: Record<string, string>): string {
  return readFileSync(join(templatesDir, file), 'utf8').replace(
    /\{\{(\w+)\}\}/g,
    (whole, key: string) => vars[key] ?? whole,
  );
}
