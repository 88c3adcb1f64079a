/**
 * The client library must run in browsers: it bundles for the browser platform with no Node
 * built-in and no package, from sdk/client, sdk/protocol and sdk/errors only.
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('client library: the browser bundle', () => {
  it('bundles for the browser from sdk/client, sdk/protocol and sdk/errors alone', async () => {
    const result = await build({
      entryPoints: [join(root, 'sdk/client/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs).map((file) => relative(root, join(root, file)));
    expect(inputs.filter((file) => !/^sdk\/(client|protocol|errors)\/[\w-]+\.ts$/.test(file))).toEqual([]);
    expect(inputs).toContain('sdk/client/switchboard-client.ts');
  });
});
