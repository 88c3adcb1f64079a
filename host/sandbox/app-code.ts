import { readFile, stat } from 'node:fs/promises';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { bundleApp } from '../../sdk/cli/bundle-app.js';

/**
 * The largest entry read: a bundle is loaded into the app's isolate, whose heap is at most
 * 1 GiB, and read whole into the host first (a 200 MB bundle had taken the host's memory to
 * 590 MB and aborted the shared worker twice before the app was set aside).
 */
export const MAX_APP_CODE_BYTES = 32 * 1024 * 1024;

/** Bundles by entry file and modification time: an app restarting after a crash is not bundled again. */
const bundles = new Map<string, { mtimeMs: number; code: Promise<string> }>();

/**
 * An app's code as one script: a built bundle (.js) as shipped, or, for authors working on a
 * source tree, its TypeScript entry bundled here by the SDK's own bundler.
 */
export async function loadAppCode(entryFile: string): Promise<string> {
  try {
    const { mtimeMs, size } = await stat(entryFile);
    if (size > MAX_APP_CODE_BYTES)
      throw new Error(`it is ${size} bytes, over the ${MAX_APP_CODE_BYTES} an app's code may have`);
    if (!entryFile.endsWith('.ts')) return await readFile(entryFile, 'utf8');
    // A bundle also holds the files the entry imports: a change to one of those alone is picked
    // up when the process restarts (a shipped app is a built .js, read afresh each time).
    let cached = bundles.get(entryFile);
    if (!cached || cached.mtimeMs !== mtimeMs) {
      cached = {
        mtimeMs,
        code: bundleApp(entryFile, { confined: true }).then((b) => {
          if (b.bytes > MAX_APP_CODE_BYTES)
            throw new Error(`its bundle is ${b.bytes} bytes, over ${MAX_APP_CODE_BYTES}`);
          return b.code;
        }),
      };
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
