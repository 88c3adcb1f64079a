/**
 * Bundles a sandboxed app's entry into one self-contained script. The sandbox is a bare V8
 * context: no module loader, no require, no process, no timers, no network. So everything the
 * app imports is inlined here, and an import that cannot be inlined (a Node built-in, a package
 * that is not installed) fails the build now instead of failing in the sandbox later.
 *
 * The host imports this file to load the `.ts` entries of sandbox manifests, so it prints
 * nothing: problems come back as a thrown CliError, warnings in the result.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Message, type Plugin } from 'esbuild';
import { APP_GLOBAL_NAME } from '../app/app-global-name.js';
import { CliError } from './cli-error.js';

/** Re-exported for the CLI's callers: the name itself is the SDK's (the guest runtime reads it too). */
export { APP_GLOBAL_NAME };

/** Apps import the SDK by its package name (as the scaffold of `switchboard new` does). */
export const SDK_SPECIFIER = '@switchboard/sdk';
/** The SDK as the host package exports it, which apps written before the SDK had a package of its own import. */
const HOST_SDK_SPECIFIER = 'switchboard/sdk';

/**
 * The SDK of this CLI, found from this file rather than from the working directory or the
 * app's node_modules, so a bundle made anywhere uses the SDK of the CLI that made it. (Relative
 * imports of the SDK, as in first-party apps, resolve to this same file and so to the same module.)
 */
const sdkEntry = fileURLToPath(new URL('../index.ts', import.meta.url));

export interface BundledApp {
  /** A classic script: running it sets globalThis.__switchboard_app. */
  code: string;
  /** UTF-8 size of `code`. */
  bytes: number;
  /** esbuild's warnings, one line each ("file:line:column: text"); the bundle is usable. */
  warnings: string[];
}

export interface BundleOptions {
  /**
   * Every file the bundle reads must be, by its real path (symbolic links followed), inside the
   * entry's own folder or the SDK. The host sets it: the code it bundles is an untrusted app's,
   * and an import is a read of the host's disk (`import cfg from '/srv/config.json'` would put
   * the host's secrets in the app's hands). The CLI builds an author's own tree, unconfined.
   */
  confined?: boolean;
}

export async function bundleApp(sourceFile: string, options: BundleOptions = {}): Promise<BundledApp> {
  if (!existsSync(sourceFile) || !statSync(sourceFile).isFile()) {
    throw new CliError(`Cannot bundle ${sourceFile}: the file does not exist.`);
  }
  const baseDir = dirname(resolve(sourceFile));
  const plugins = [refuseNodeBuiltins];
  if (options.confined)
    plugins.unshift(confineTo([dirname(realpathSync(sourceFile)), dirname(realpathSync(sdkEntry))]));
  const format = (message: Message) => formatMessage(message, baseDir);
  try {
    const result = await build({
      entryPoints: [resolve(sourceFile)],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: APP_GLOBAL_NAME,
      platform: 'neutral',
      target: 'es2022',
      mainFields: ['module', 'main'],
      sourcemap: false,
      legalComments: 'none',
      // esbuild would otherwise print to stderr; the caller decides what to show.
      logLevel: 'silent',
      // The bundle's path comments and message locations are relative to this: the entry's
      // folder, not the working folder, so the same app gives the same bytes from any folder.
      absWorkingDir: baseDir,
      alias: { [SDK_SPECIFIER]: sdkEntry, [HOST_SDK_SPECIFIER]: sdkEntry },
      plugins,
    });
    const code = result.outputFiles[0]?.text ?? '';
    return { code, bytes: Buffer.byteLength(code, 'utf8'), warnings: result.warnings.map(format) };
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors;
    if (!Array.isArray(errors)) throw err;
    throw new CliError(`Cannot bundle ${sourceFile}:\n${errors.map((e) => `  ${format(e)}`).join('\n')}`);
  }
}

const builtins = new Set(builtinModules.filter((name) => !name.startsWith('_')));
/** Every "node:" import, and the bare names of Node's public built-ins ("fs", "fs/promises", …). */
const builtinFilter = new RegExp(
  `^(node:.*|${[...builtins].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`,
);
const resolvingInstalled = Symbol('resolving an installed package');

/**
 * Refuses Node's built-in modules, naming the import (esbuild adds the importing file, line and
 * column). A bare name such as "events" or "buffer" passes when the app installed an npm package
 * of that name: that package is plain code and is bundled like any other.
 */
const refuseNodeBuiltins: Plugin = {
  name: 'switchboard-refuse-node-builtins',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: builtinFilter }, async (args) => {
      if (args.pluginData === resolvingInstalled) return undefined;
      if (!args.path.startsWith('node:')) {
        const installed = await pluginBuild.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: resolvingInstalled,
        });
        if (installed.errors.length === 0 && installed.path && !installed.external)
          return { path: installed.path, namespace: installed.namespace };
      }
      return {
        errors: [
          {
            text: `"${args.path}" is a Node built-in module, and the sandbox has none (no require, process, timers or network); use the app context (storage, messages, scheduler, …) instead`,
          },
        ],
      };
    });
  },
};

const confining = Symbol('resolving a confined import');

/** Refuses every import whose real path is outside the given folders, naming the import. */
function confineTo(folders: readonly string[]): Plugin {
  const inside = (path: string) => folders.some((folder) => path === folder || path.startsWith(folder + sep));
  return {
    name: 'switchboard-confine-to-app-folder',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === confining) return undefined;
        const found = await pluginBuild.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: confining,
        });
        // Unresolved (or a Node built-in, refused next): esbuild's own error names it.
        if (found.errors.length > 0 || !found.path || found.namespace !== 'file') return undefined;
        let real: string;
        try {
          real = realpathSync(found.path);
        } catch {
          // Gone between esbuild's resolve and ours: esbuild's load then fails and names the file.
          return undefined;
        }
        // Left to esbuild, which resolves it the same way and keeps its own handling of the file
        // (a path a plugin returns gets no tsconfig: the app's strict mode was lost).
        if (inside(real)) return undefined;
        return {
          errors: [
            {
              text: `"${args.path}" is outside the app's folder: an app bundled by the host may import only its own files and the SDK`,
            },
          ],
        };
      });
    },
  };
}

/** "file:line:column: text", plus esbuild's notes except its advice to mark paths external (a bundle cannot leave imports unresolved). */
function formatMessage(message: Message, baseDir: string): string {
  const where = message.location
    ? `${displayPath(resolve(baseDir, message.location.file))}:${message.location.line}:${message.location.column + 1}: `
    : '';
  let text = message.text;
  const unresolved = /^Could not resolve "([^"]+)"/.exec(text);
  if (unresolved && !/^[./]/.test(unresolved[1]!)) {
    text +=
      " (is the package installed in the app's project? The sandbox loads no modules at run time, so every import must be bundled)";
  }
  const notes = message.notes
    .filter((n) => !/as external/.test(n.text))
    .map((n) => ` (${n.text})`)
    .join('');
  return `${where}${text}${notes}`;
}

/** Relative to the working folder when inside it, absolute otherwise (not "../../tmp/…"). */
function displayPath(absolute: string): string {
  const rel = relative(process.cwd(), absolute);
  return rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
}
