/**
 * The SDK is a package of its own (sdk/package.json, @switchboard/sdk), so an app depends on it
 * by name and version rather than on a host checkout. `npm pack` in sdk/ must hold the SDK and
 * nothing else, and what it holds must work on its own: every relative import inside the
 * package, every package import declared.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extract } from 'tar';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { newCommand } from '../sdk/cli/main.js';
import rootPackage from '../package.json' with { type: 'json' };
import sdkPackage from '../sdk/package.json' with { type: 'json' };
import { capture, cliWorkspace } from './support/cli-workspace.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sdkDir = join(root, 'sdk');
const ws = cliWorkspace();

/** The files `npm pack` would put in the tarball, relative to sdk/. */
function packedFiles(): string[] {
  return npmPack(['--dry-run']).files.map((f) => f.path);
}

function npmPack(args: string[]): { name: string; filename: string; files: { path: string }[] } {
  const result = spawnSync('npm', ['pack', '--json', '--ignore-scripts', ...args], { cwd: sdkDir, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  const [pack] = JSON.parse(result.stdout) as { name: string; filename: string; files: { path: string }[] }[];
  expect(pack!.name).toBe('@switchboard/sdk');
  return pack!;
}

/** Module specifiers of static, re-export and dynamic imports. */
function importsOf(text: string): string[] {
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]!);
}

describe('the SDK package', () => {
  const files = packedFiles();

  it('packs only sdk/ files: the entries, the CLI with its templates, the harness and the schema', () => {
    expect(
      files.filter(
        (f) => f.startsWith('..') || f.startsWith('/') || /^(host|plugins|test|bench|docs|node_modules)\//.test(f),
      ),
    ).toEqual([]);
    const entries = [...Object.values(sdkPackage.exports), ...Object.values(sdkPackage.bin)].map((p) =>
      posix.normalize(p),
    );
    for (const file of [
      ...entries,
      'cli/templates/index.ts.tmpl',
      'cli/templates/app.test.ts.tmpl',
      'cli/templates/README.md.tmpl',
    ]) {
      expect(files, file).toContain(file);
    }
  });

  it('holds every module its files import, and declares every package they import', () => {
    const declared = new Set([...Object.keys(sdkPackage.dependencies), ...Object.keys(sdkPackage.peerDependencies)]);
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    for (const file of files.filter((f) => /\.(ts|mjs)$/.test(f))) {
      for (const spec of importsOf(readFileSync(join(sdkDir, file), 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = posix.join(posix.dirname(file), spec);
          if (!files.includes(target) && !files.includes(target.replace(/\.js$/, '.ts')))
            problems.push(`${file} imports ${spec}, which is not in the package`);
        } else if (!spec.startsWith('node:') && !builtins.has(spec)) {
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
          if (!declared.has(name)) problems.push(`${file} imports ${spec}, which package.json does not declare`);
        }
      }
    }
    expect(problems).toEqual([]);
    // This checkout runs the SDK on the root's packages: the same ranges, so the two cannot drift.
    const rootDependencies = rootPackage.dependencies as Record<string, string>;
    expect(
      Object.fromEntries(Object.keys(sdkPackage.dependencies).map((name) => [name, rootDependencies[name]])),
    ).toEqual(sdkPackage.dependencies);
    expect(sdkPackage.peerDependencies.switchboard).toBe(`~${rootPackage.version}`);
  });

  it('installs into an app made by `new` outside this checkout, which then type-checks with its own tsconfig', async () => {
    const app = join(ws.tmp, 'outside-app');
    expect(await newCommand(app, {}, capture())).toBe(0);
    // What `npm install` would do with the SDK's tarball; the other dev dependencies are taken
    // from this checkout's node_modules, as a registry would provide them.
    const tarball = join(ws.tmp, npmPack(['--pack-destination', ws.tmp]).filename);
    const installed = join(app, 'node_modules/@switchboard/sdk');
    mkdirSync(installed, { recursive: true });
    await extract({ file: tarball, cwd: installed, strip: 1 });
    mkdirSync(join(app, 'node_modules/@types'));
    symlinkSync(join(root, 'node_modules/@types/node'), join(app, 'node_modules/@types/node'));
    symlinkSync(join(root, 'node_modules/vitest'), join(app, 'node_modules/vitest'));

    const config = ts.getParsedCommandLineOfConfigFile(
      join(app, 'tsconfig.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    )!;
    const program = ts.createProgram(config.fileNames, config.options);
    const errors = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(errors).toEqual([]);
    const sources = program.getSourceFiles().map((f) => f.fileName);
    expect(sources).toContain(join(installed, 'index.ts'));
    expect(sources).toContain(join(installed, 'testing/app-harness.ts'));
    // Nothing came from this checkout's sdk/ folder.
    expect(sources.filter((f) => f.startsWith(`${sdkDir}/`))).toEqual([]);
  });
});
