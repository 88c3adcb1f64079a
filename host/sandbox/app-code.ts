import { readFile } from 'node:fs/promises';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { bundleApp } from '../../sdk/cli/bundle-app.js';

/**
 * An app's code as one script: a built bundle (.js) as shipped, or, for authors working on a
 * source tree, its TypeScript entry bundled here by the SDK's own bundler.
 */
export async function loadAppCode(entryFile: string): Promise<string> {
  try {
    if (entryFile.endsWith('.ts')) return (await bundleApp(entryFile)).code;
    return await readFile(entryFile, 'utf8');
  } catch (err) {
    throw new SwitchboardError('plugin_start_failed', `The app's entry ${entryFile} could not be loaded: ${(err as Error).message}`);
  }
}
