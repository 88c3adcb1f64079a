/**
 * The boundaries the architecture rests on: sdk/ imports nothing from host/ (or any package),
 * and first-party plugins import only the SDK and their own files — never host internals,
 * the DI container or Node's process-wide modules.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

/** Every module specifier in import/export-from statements and dynamic imports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)) specifiers.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) specifiers.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(m[1]!);
  for (const m of text.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(m[1]!);
  return specifiers;
}

function violations(dir: string, allowed: (target: string, file: string) => boolean): string[] {
  return sourceFiles(dir).flatMap((file) => importsOf(file)
    .filter((spec) => {
      const target = spec.startsWith('.') ? resolve(dirname(file), spec) : spec;
      return !allowed(target, file);
    })
    .map((spec) => `${relative(root, file)} imports ${spec}`));
}

const inside = (target: string, dir: string) => target === dir || target.startsWith(`${dir}/`);

describe('import boundaries', () => {
  it('finds imports in the files it checks (so the checks below can fail)', () => {
    expect(importsOf(join(root, 'plugins/echo-bot/index.ts'))).toContain('../../sdk/index.js');
    expect(violations(join(root, 'host/realtime'), (t) => inside(t, join(root, 'sdk'))).length).toBeGreaterThan(0);
  });

  it('keeps sdk/ free of host/ and of third-party packages', () => {
    expect(violations(join(root, 'sdk'), (t) => inside(t, join(root, 'sdk')))).toEqual([]);
  });

  it('lets first-party plugins import only the SDK and their own folder', () => {
    const pluginsDir = join(root, 'plugins');
    const bad = readdirSync(pluginsDir).filter((name) => statSync(join(pluginsDir, name)).isDirectory()).flatMap((name) =>
      violations(join(pluginsDir, name), (t) => inside(t, join(root, 'sdk')) || inside(t, join(pluginsDir, name))));
    expect(bad).toEqual([]);
  });
});
