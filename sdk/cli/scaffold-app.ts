/**
 * `switchboard new`: a small app project that already validates, builds, packs and has a test,
 * so an author starts from something that works and changes it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLUGIN_API_VERSION, type PluginManifest } from '../plugin/manifest.js';
import { CliError } from './cli-error.js';

/** The manifest schema's pattern for plugin ids (also the handle of the app's bot). */
export const APP_ID_PATTERN = /^[a-z][a-z0-9-]{2,31}$/;

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
/** The repository holding this SDK: the scaffold's package.json installs it from here. */
const sdkPackageRoot = fileURLToPath(new URL('../../', import.meta.url));

export function scaffoldApp(dir: string, options: ScaffoldOptions = {}): ScaffoldedApp {
  const root = resolve(dir);
  const id = options.id ?? basename(root);
  if (!APP_ID_PATTERN.test(id)) {
    const hint = options.id === undefined ? ` (taken from the folder name; pass --id <id>)` : '';
    throw new CliError(`"${id}" is not a valid app id${hint}: 3-32 lower-case letters, digits and dashes, starting with a letter (${APP_ID_PATTERN.source}).`);
  }
  const name = options.name ?? titleOf(id);
  if (name.trim().length === 0 || name.length > 64) {
    throw new CliError(`The app name must have 1-64 characters; "${name}" has ${name.length}.`);
  }
  if (existsSync(root)) {
    if (!statSync(root).isDirectory()) throw new CliError(`${root} exists and is not a folder.`);
    const present = readdirSync(root);
    if (present.length > 0) {
      throw new CliError(`${root} is not empty (it holds ${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}); new only writes into an empty or new folder, so that it overwrites nothing.`);
    }
  }

  const manifest: PluginManifest & { $schema: string } = {
    // Editors use it once `npm install` has put the SDK in node_modules; the host ignores it.
    $schema: './node_modules/switchboard/sdk/plugin/manifest-schema.json',
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
      commands: [{
        name: 'hello',
        description: 'Greets someone, and counts the greetings in this conversation.',
        arguments: [{ name: 'name', description: 'Who to greet.', required: true, type: 'rest' }],
      }],
    },
    limits: { memoryMb: 32 },
  };

  // The SDK is not published yet: the app installs it from this checkout, by a relative path
  // so the two can move together.
  const sdkPath = relative(root, sdkPackageRoot).split(sep).join('/') || '.';
  const packageJson = {
    name: id,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      build: 'switchboard build',
      validate: 'switchboard validate',
      pack: 'switchboard pack',
      test: 'vitest run',
    },
    devDependencies: {
      '@types/node': '^20.19.0',
      switchboard: `file:${sdkPath}`,
      vitest: '^3.2.4',
    },
  };

  // For editors and vitest: the app is bundled by esbuild, so "Bundler" resolution is what
  // finds 'switchboard/sdk' through the SDK package's exports.
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
  return readFileSync(join(templatesDir, file), 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, key: string) => vars[key] ?? whole);
}
