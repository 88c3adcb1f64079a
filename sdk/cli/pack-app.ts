/**
 * The package an operator installs: <id>-<version>.sbapp.tgz, written with node-tar. Its files
 * sit in one top-level folder named after the app, so that `tar xzf` in the operator's apps
 * folder gives <apps>/<id>/manifest.json and never scatters files into the folder it runs in.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create } from 'tar';
import type { PluginManifest } from '../plugin/manifest.js';

/** The files of a package, in the order they are stored, inside its `<id>/` folder. */
export const PACKAGE_FILES = ['manifest.json', 'app.js', 'SHA256SUMS'] as const;

/**
 * The modification time of every entry: a fixed date (npm pack uses the same one) so that
 * packing the same app twice gives the same bytes.
 */
export const PACKAGE_MTIME = new Date(Date.UTC(1985, 9, 26, 8, 15, 0));

/** Writes the package of a built app to `packageFile`. */
export async function writeAppPackage(
  manifest: PluginManifest,
  bundleCode: string,
  packageFile: string,
): Promise<void> {
  // The package runs its bundle, so its manifest points there. $schema is a path into the
  // author's node_modules, meaningless once packed.
  const { $schema: _editorSchema, ...packed } = manifest as PluginManifest & { $schema?: string };
  const manifestText = `${JSON.stringify({ ...packed, entry: './app.js' }, null, 2)}\n`;
  // The schema refuses unknown manifest fields, so the hashes go in a file of their own, in
  // the format `sha256sum -c` checks.
  const sums = `${sha256Hex(bundleCode)}  app.js\n${sha256Hex(manifestText)}  manifest.json\n`;
  const contents: Record<(typeof PACKAGE_FILES)[number], string> = {
    'manifest.json': manifestText,
    'app.js': bundleCode,
    SHA256SUMS: sums,
  };

  // node-tar archives files from disk, so the package's folder is laid out in a scratch folder.
  const staging = mkdtempSync(join(tmpdir(), 'switchboard-pack-'));
  try {
    mkdirSync(join(staging, manifest.id));
    for (const name of PACKAGE_FILES) writeFileSync(join(staging, manifest.id, name), contents[name]);
    mkdirSync(dirname(packageFile), { recursive: true });
    await create(
      { file: packageFile, cwd: staging, gzip: { level: 9 }, portable: true, mtime: PACKAGE_MTIME },
      PACKAGE_FILES.map((name) => `${manifest.id}/${name}`),
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
