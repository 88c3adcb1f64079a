/**
 * A temporary workspace for the SDK CLI suites: apps made by `switchboard new` in their own
 * folders, and a capture of what a command prints.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { newCommand, type CliOutput } from '../../sdk/cli/main.js';
import type { PluginManifest } from '../../sdk/plugin/manifest.js';

/** Captures what a command prints. */
export function capture(): CliOutput & { stdout: string[]; stderr: string[]; text(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (l) => {
      stdout.push(l);
    },
    err: (l) => {
      stderr.push(l);
    },
    text: () => [...stdout, ...stderr].join('\n'),
  };
}

export function writeManifest(dir: string, manifest: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

export function readManifest(dir: string): PluginManifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as PluginManifest;
}

/** A temporary folder for the calling suite (made before it, removed after), and apps in it. */
export function cliWorkspace() {
  let tmp = '';
  let appCount = 0;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });
  const newApp = async (id = `app-${++appCount}`): Promise<string> => {
    const dir = join(tmp, id);
    const io = capture();
    expect(await newCommand(dir, {}, io), io.text()).toBe(0);
    return dir;
  };
  return {
    get tmp() {
      return tmp;
    },
    /** A fresh app made by `new`, in its own folder. */
    newApp,
    /** An app whose src/index.ts is `source`, with a valid manifest. */
    async appWithSource(source: string): Promise<string> {
      const dir = await newApp();
      writeFileSync(join(dir, 'src/index.ts'), source);
      return dir;
    },
  };
}
