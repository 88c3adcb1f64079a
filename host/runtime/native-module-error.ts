import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

/** What Node and the loaders (node-gyp-build, bindings) say when a .node file is not for this Node. */
const MISMATCH = [
  /NODE_MODULE_VERSION/,
  /was compiled against a different Node\.js version/i,
  /No native build was found/i,
  /ERR_DLOPEN_FAILED/,
  /invalid ELF header/i,
  /Module did not self-register/i,
];

/** The error and its causes (knex, for one, wraps a driver's load failure in its own Error). */
function* chain(err: unknown): Generator<{ message: string; code: string }> {
  for (let e = err, depth = 0; e != null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    // Only an error's message or a thrown string can describe a loader failure, and only a string
    // code can be ERR_DLOPEN_FAILED; any other value yields '' (it matches nothing either way).
    const message =
      typeof e === 'object' && typeof (e as Error).message === 'string'
        ? (e as Error).message
        : typeof e === 'string'
          ? e
          : '';
    const code =
      typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : '';
    yield { message, code };
  }
}

/**
 * A native module built for another Node (another NODE_MODULE_VERSION, another platform, or no
 * build at all) as `native_module_mismatch`, naming the module, the running Node and the fix;
 * null for any other error.
 */
export function nativeModuleError(err: unknown, moduleName: string): SwitchboardError | null {
  if (err instanceof SwitchboardError) return err.code === 'native_module_mismatch' ? err : null;
  const hit = [...chain(err)].find(
    ({ message, code }) => code === 'ERR_DLOPEN_FAILED' || MISMATCH.some((re) => re.test(message)),
  );
  if (!hit) return null;
  // "...compiled against a different Node.js version using NODE_MODULE_VERSION 147. This version of Node.js requires NODE_MODULE_VERSION 137."
  const versions = [...hit.message.matchAll(/NODE_MODULE_VERSION (\d+)/g)].map((m) => m[1]!);
  const abi = versions[0]
    ? ` (built for NODE_MODULE_VERSION ${versions[0]}; this Node needs NODE_MODULE_VERSION ${versions[1] ?? process.versions.modules})`
    : ` (this Node needs NODE_MODULE_VERSION ${process.versions.modules})`;
  // Node's own advice ("npm rebuild") would build with whatever node is first on PATH: ours names the right one.
  const detail = hit.message
    .replace(/\s+/g, ' ')
    .replace(/ Please try re-compiling.*$/, '')
    .trim();
  return new SwitchboardError(
    'native_module_mismatch',
    `The native module ${moduleName} was built for another Node version${abi} and cannot be loaded by Node ${process.version} (V8 ${process.versions.v8}, ${process.platform}-${process.arch}). ` +
      `Fix: run \`npm run rebuild-native\` with the Node that runs the host (npm scripts use node_modules/.bin/node), then start the host again. ` +
      `Loader said: ${detail}`,
    { cause: err },
  );
}
