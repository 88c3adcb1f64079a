import { readFile, stat } from 'node:fs/promises';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { bundleApp } from '../../sdk/cli/bundle-app.js';

/** Bundles by entry file and modification time: an app restarting after a crash is not bundled again. */
const bundles = new Map<string, { mtimeMs: number; code: Promise<string> }>();

/**
 * An app's code as one script: a built bundle (.js) as shipped, or, for authors working on a
 * source tree, its TypeScript entry bundled here by the SDK's own bundler.
 */
export async function loadAppCode(entryFile: string): Promise<string> {
  try {
    if (!entryFile.endsWith('.ts')) return await readFile(entryFile, 'utf8');
    // A bundle also holds the files the entry imports: a change to one of those alone is picked
    // up when the process restarts (a shipped app is a built .js, read afresh each time).
    const { mtimeMs } = await stat(entryFile);
    let cached = bundles.get(entryFile);
    if (!cached || cached.mtimeMs !== mtimeMs) {
      cached = { mtimeMs, code: bundleApp(entryFile).then((b) => b.code) };
      bundles.set(entryFile, cached);
      // A failed bundle is not kept, so the next start tries again; this start gets the error below.
      cached.code.catch(() => bundles.delete(entryFile));
    }
    return await cached.code;
  } catch (err) {
    throw new SwitchboardError(
      'plugin_start_failed',
      `The app's entry ${entryFile} could not be loaded: ${(err as Error).message}`,
    );
  }
}
