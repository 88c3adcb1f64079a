/**
 * The boundaries the architecture rests on: sdk/ imports nothing from host/ (or any package),
 * and first-party plugins import only the SDK and their own files — never host internals,
 * the DI container or Node's process-wide modules. The SDK's command-line tool (sdk/cli) runs
 * on the author's machine, so it may also use Node and the few packages it builds with, but
 * still nothing from host/. Inside host/, folders are layered: no two import each other, and the
 * core folders reach plugins/ only through the extension points it implements.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string, skip: readonly string[] = []): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (skip.includes(path)) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path, skip);
    return /\.(ts|tsx|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Every module specifier in import/export-from statements and dynamic imports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g))
    specifiers.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) specifiers.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(m[1]!);
  for (const m of text.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(m[1]!);
  return specifiers;
}

/** Which of `dir`'s folders import which, and the pairs that import each other. */
function folderEdges(dir: string): { edges: Map<string, Set<string>>; both: string[] } {
  const folders = readdirSync(dir).filter((name) => statSync(join(dir, name)).isDirectory());
  const edges = new Map<string, Set<string>>(folders.map((f) => [f, new Set<string>()]));
  for (const folder of folders) {
    for (const file of sourceFiles(join(dir, folder))) {
      for (const spec of importsOf(file)) {
        const target = targetOf(spec, file);
        const to = target.startsWith(dir + '/') ? relative(dir, target).split('/')[0]! : null;
        if (to !== null && to !== folder && folders.includes(to)) edges.get(folder)!.add(to);
      }
    }
  }
  const both = folders.flatMap((a) =>
    [...edges.get(a)!].filter((b) => a < b && edges.get(b)!.has(a)).map((b) => `${a} <-> ${b}`),
  );
  return { edges, both };
}

/** A relative specifier as the absolute path it names; a bare one (package, node:) as is. */
function targetOf(spec: string, file: string): string {
  return spec.startsWith('.') ? resolve(dirname(file), spec) : spec;
}

function violations(
  dir: string,
  allowed: (target: string, file: string) => boolean,
  skip: readonly string[] = [],
): string[] {
  return sourceFiles(dir, skip).flatMap((file) =>
    importsOf(file)
      .filter((spec) => !allowed(targetOf(spec, file), file))
      .map((spec) => `${relative(root, file)} imports ${spec}`),
  );
}

const inside = (target: string, dir: string) => target === dir || target.startsWith(`${dir}/`);

/** The packages the CLI builds and checks apps with (target is a bare specifier such as "tsx/esm/api"). */
const cliPackages = ['esbuild', 'tar', 'tsx'];
const cliMayImport = (target: string) =>
  inside(target, join(root, 'sdk')) ||
  target.startsWith('node:') ||
  cliPackages.some((pkg) => target === pkg || target.startsWith(`${pkg}/`));

describe('import boundaries', () => {
  it('finds imports in the files it checks (so the checks below can fail)', () => {
    expect(importsOf(join(root, 'plugins/echo-bot/index.ts'))).toContain('../../sdk/index.js');
    expect(violations(join(root, 'host/realtime'), (t) => inside(t, join(root, 'sdk'))).length).toBeGreaterThan(0);
    expect(importsOf(join(root, 'sdk/cli/bundle-app.ts'))).toContain('esbuild');
    const cliFile = join(root, 'sdk/cli/main.ts');
    expect(
      ['../../host/host.ts', 'lodash', 'esbuild-wasm', 'fs', '../index.ts', 'node:fs', 'tsx/esm/api'].map((spec) =>
        cliMayImport(targetOf(spec, cliFile)),
      ),
    ).toEqual([false, false, false, false, true, true, true]);
  });

  it('keeps sdk/ free of host/ and of third-party packages', () => {
    // sdk/cli, sdk/manifest-check and sdk/testing have their own rules below.
    expect(
      violations(join(root, 'sdk'), (t) => inside(t, join(root, 'sdk')), [
        join(root, 'sdk/cli'),
        join(root, 'sdk/manifest-check'),
        join(root, 'sdk/testing'),
      ]),
    ).toEqual([]);
  });

  it('lets the manifest check (shared by host and CLI, never bundled into apps) import only the SDK, ajv and semver', () => {
    const checkMayImport = (t: string) => inside(t, join(root, 'sdk')) || ['ajv', 'semver'].includes(t);
    expect(violations(join(root, 'sdk/manifest-check'), checkMayImport)).toEqual([]);
    // Apps bundle sdk/index.ts; the check's packages must not ride along.
    expect(importsOf(join(root, 'sdk/index.ts')).filter((spec) => spec.includes('manifest-check'))).toEqual([]);
  });

  it('lets the SDK CLI import the SDK, node: built-ins, esbuild, tar and tsx, and nothing from host/', () => {
    expect(violations(join(root, 'sdk/cli'), cliMayImport)).toEqual([]);
  });

  it('lets the app harness reach the host only through its package entry', () => {
    // The harness boots a real host, as an embedder would: by the package's public entry
    // ('switchboard/host' → host/public-api.ts), never by a path into host/.
    const harnessMayImport = (t: string) =>
      inside(t, join(root, 'sdk')) || t.startsWith('node:') || t === 'switchboard/host';
    expect(readFileSync(join(root, 'sdk/testing/app-harness.ts'), 'utf8')).toContain(
      "const HOST_PACKAGE = 'switchboard/host';",
    );
    expect(harnessMayImport(resolve(root, 'sdk/testing', '../../host/host.js'))).toBe(false);
    expect(violations(join(root, 'sdk/testing'), harnessMayImport)).toEqual([]);
  });

  it('lets first-party plugins import only the SDK and their own folder', () => {
    const pluginsDir = join(root, 'plugins');
    const bad = readdirSync(pluginsDir)
      .filter((name) => statSync(join(pluginsDir, name)).isDirectory())
      .flatMap((name) =>
        violations(join(pluginsDir, name), (t) => inside(t, join(root, 'sdk')) || inside(t, join(pluginsDir, name))),
      );
    expect(bad).toEqual([]);
  });

  it("keeps the web client's folders layered too: no two import each other", () => {
    const webDir = join(root, 'web', 'src');
    const { edges, both } = folderEdges(webDir);
    expect(edges.get('chat')).toContain('people');
    expect(both).toEqual([]);
  });

  it('keeps host/ folders layered: no two import each other', () => {
    const hostDir = join(root, 'host');
    const folders = readdirSync(hostDir).filter((name) => statSync(join(hostDir, name)).isDirectory());
    const folderOf = (path: string) => (inside(path, hostDir) ? relative(hostDir, path).split('/')[0]! : null);
    const edges = new Map<string, Set<string>>(folders.map((f) => [f, new Set<string>()]));
    for (const folder of folders) {
      for (const file of sourceFiles(join(hostDir, folder))) {
        for (const spec of importsOf(file)) {
          const to = folderOf(targetOf(spec, file));
          if (to !== null && to !== folder && folders.includes(to)) edges.get(folder)!.add(to);
        }
      }
    }
    expect(edges.get('messages')).toContain('conversations');
    const both = folders.flatMap((a) =>
      [...edges.get(a)!].filter((b) => a < b && edges.get(b)!.has(a)).map((b) => `${a} <-> ${b}`),
    );
    expect(both).toEqual([]);
    // The core's extension points are implemented by plugins/, never imported from it.
    for (const core of ['core', 'messages', 'conversations', 'realtime', 'sandbox'])
      expect([...edges.get(core)!], core).not.toContain('plugins');
  });
});
