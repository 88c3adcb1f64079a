/**
 * The subcommands as functions: each prints through a CliOutput and resolves to its exit code,
 * so tests run them in-process and main.ts only parses argv. The work itself is in the files
 * they call (validate-app, bundle-app, scaffold-app, pack-app), which print nothing.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { ErrorDetail } from '../errors/switchboard-error.js';
import type { PluginManifest } from '../plugin/manifest.js';
import { bundleApp, type BundledApp } from './bundle-app.js';
import { CliError } from './cli-error.js';
import { writeAppPackage } from './pack-app.js';
import { scaffoldApp, type ScaffoldOptions } from './scaffold-app.js';
import { DEFAULT_SOURCE, validateApp, type AppValidation } from './validate-app.js';

export interface CliOutput {
  /** Results: what the command made or found. */
  out(line: string): void;
  /** Problems and warnings. */
  err(line: string): void;
}

export const processOutput: CliOutput = {
  out: (line) => {
    process.stdout.write(`${line}\n`);
  },
  err: (line) => {
    process.stderr.write(`${line}\n`);
  },
};

/** Where `build` writes unless told otherwise, relative to the app folder. */
export const DEFAULT_BUNDLE = 'dist/app.js';

export async function newCommand(
  dir: string,
  options: ScaffoldOptions = {},
  io: CliOutput = processOutput,
): Promise<number> {
  return reportingErrors(io, () => {
    const app = scaffoldApp(dir, options);
    io.out(`Created the app "${app.id}" in ${shown(app.dir)}:`);
    for (const file of app.files) io.out(`  ${file}`);
    io.out('');
    io.out('Next:');
    io.out(`  cd ${shown(app.dir)} && npm install && npm test`);
    return 0;
  });
}

export async function validateCommand(dir = '.', io: CliOutput = processOutput): Promise<number> {
  return reportingErrors(io, () => {
    const validation = validateApp(dir);
    report(validation, io);
    if (!validation.manifest) return 1;
    io.out(`${shown(validation.manifestFile)} is valid: ${validation.manifest.id} ${validation.manifest.version}.`);
    return 0;
  });
}

export async function buildCommand(
  dir = '.',
  options: { out?: string } = {},
  io: CliOutput = processOutput,
): Promise<number> {
  return reportingErrors(io, async () => {
    const built = await buildValidated(dir, options.out, io);
    if (!built) return 1;
    io.out(`Built ${shown(built.outFile)} (${size(built.bundle.bytes)}).`);
    return 0;
  });
}

export async function packCommand(dir = '.', io: CliOutput = processOutput): Promise<number> {
  return reportingErrors(io, async () => {
    const built = await buildValidated(dir, undefined, io);
    if (!built) return 1;
    const { manifest } = built;
    const packageFile = join(built.validation.dir, 'dist', `${manifest.id}-${manifest.version}.sbapp.tgz`);
    await writeAppPackage(manifest, built.bundle.code, packageFile);
    io.out(
      `Packed ${shown(packageFile)} (${size(statSync(packageFile).size)}): ${manifest.id}/ with manifest.json, app.js and SHA256SUMS.`,
    );
    return 0;
  });
}

interface BuiltApp {
  validation: AppValidation;
  manifest: PluginManifest;
  bundle: BundledApp;
  outFile: string;
}

/** Validates, then bundles and writes the script; null (after printing why) when the app is invalid. */
async function buildValidated(dir: string, out: string | undefined, io: CliOutput): Promise<BuiltApp | null> {
  const validation = validateApp(dir);
  report(validation, io);
  const { manifest } = validation;
  if (!manifest) return null;
  // A .ts entry is the source; any other entry is the output of a build, made from src/index.ts.
  const source =
    manifest.entry.endsWith('.ts') && validation.entryFile
      ? validation.entryFile
      : join(validation.dir, DEFAULT_SOURCE);
  const bundle = await bundleApp(source);
  for (const warning of bundle.warnings) io.err(`warning ${warning}`);
  const outFile = out === undefined ? join(validation.dir, DEFAULT_BUNDLE) : resolve(out);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, bundle.code);
  return { validation, manifest, bundle, outFile };
}

/** Every problem on its own line, by JSON path, errors first. */
function report(validation: AppValidation, io: CliOutput): void {
  const { errors, warnings } = validation;
  if (errors.length > 0) {
    io.err(
      `${shown(validation.manifestFile)}: ${count(errors.length, 'error')}${warnings.length ? `, ${count(warnings.length, 'warning')}` : ''}`,
    );
  }
  const line = (kind: string) => (p: ErrorDetail) => io.err(`  ${kind} ${p.path}: ${p.message}`);
  errors.forEach(line('error'));
  warnings.forEach(line('warning'));
}

/** CliErrors become a message and their exit code; anything else is a bug and propagates. */
async function reportingErrors(io: CliOutput, work: () => number | Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    io.err(`error: ${err.message}`);
    return err.exitCode;
  }
}

/** A path as the user would type it: relative to the working folder when inside it. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function size(bytes: number): string {
  return bytes < 10 * 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
