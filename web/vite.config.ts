import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web client's build (scripts/build-web.mjs runs it). The host serves the result under a strict
 * Content-Security-Policy, so nothing may end up inline: no module-preload polyfill script, and no
 * asset turned into a data: URL (CSS and scripts are always files).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  // The app imports the client library from ../sdk/client: the dev server may read the repository.
  server: { fs: { allow: ['..'] } },
});
