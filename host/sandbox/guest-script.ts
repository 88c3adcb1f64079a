import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { GUEST_GLOBALS } from './rpc-protocol.js';

const GUEST_ENTRY = fileURLToPath(new URL('./guest/app-runtime.guest.ts', import.meta.url));
let cached: Promise<string> | null = null;

/**
 * Takes the runtime's entry points off the global the guest left them on: the script's
 * completion value is then those entry points, for the worker alone.
 */
const HAND_OVER = `;(function(){var r=globalThis.${GUEST_GLOBALS.runtime};delete globalThis.${GUEST_GLOBALS.runtime};return r})()`;

/** The guest runtime as one script for a bare V8 context, bundled once per host process. */
export function guestScript(): Promise<string> {
  cached ??= build({
    entryPoints: [GUEST_ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    legalComments: 'none',
    minify: true,
  }).then((result) => `${result.outputFiles[0]!.text}${HAND_OVER}`);
  return cached;
}
