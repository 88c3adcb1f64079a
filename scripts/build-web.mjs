// Builds the web client (web/) into web/dist with Vite, only when what it is made of changed since the
// last build: `npm start` (prestart) and the browser tests call it, so a fresh clone serves an app and
// an unchanged tree costs one hash of a few hundred files. `--force` builds anyway; `--out DIR` builds
// into DIR instead of web/dist (a folder an operator serves with `web.root`).
//
// The build goes to a temporary folder beside the output that replaces it at the end, so a host
// serving it never sees a half-written app; a lock folder keeps two test workers from building at once.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(repo, 'web');
const DEFAULT_DIST = join(web, 'dist');
const HASH_FILE = '.build-hash';
const LOCK = join(web, '.build-lock');
const STALE_LOCK_MS = 5 * 60_000;
/** Everything the bundle is made of: the app, the SDK code it imports, the locked dependency versions. */
const INPUTS = ['web', 'sdk/client', 'sdk/protocol', 'sdk/errors', 'package-lock.json', 'scripts/build-web.mjs'];

/**
 * A hash of every input file's path and bytes (web/node_modules, dotted entries and the built app,
 * in web/dist or in dist, left out: a build to one folder hashes the same as a build to the other).
 */
function inputHash(dist) {
  const hash = createHash('sha256');
  const visit = (path) => {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      // An input that does not exist (sdk/client before it is written) is simply not part of the hash.
      return;
    }
    if (stats.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (name.startsWith('.') || name === 'node_modules' || [DEFAULT_DIST, dist].includes(join(path, name)))
          continue;
        visit(join(path, name));
      }
      return;
    }
    hash.update(relative(repo, path)).update('\0').update(readFileSync(path)).update('\0');
  };
  for (const input of INPUTS) visit(join(repo, input));
  return hash.digest('hex');
}

function builtHash(dist) {
  try {
    return readFileSync(join(dist, HASH_FILE), 'utf8').trim();
  } catch {
    // No build yet (or an unfinished one): stale.
    return null;
  }
}

/** Builds dist if its hash differs from the inputs' (or always with force). Returns what it did. */
async function buildWeb({ force = false, dist = DEFAULT_DIST } = {}) {
  if (!force && builtHash(dist) === inputHash(dist)) return 'fresh';
  await acquireLock();
  try {
    // Another process may have built it while this one waited for the lock.
    const hash = inputHash(dist);
    if (!force && builtHash(dist) === hash) return 'fresh';
    // Beside the output, so that the final rename stays on one file system.
    const out = join(dirname(dist), `.dist-${process.pid}`);
    // A production bundle whoever calls: under vitest NODE_ENV is 'test', which would make Vite
    // compile JSX in development mode (jsxDEV, with this machine's file paths in the bundle).
    process.env.NODE_ENV = 'production';
    const { build } = await import('vite');
    await build({
      configFile: join(web, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: out, emptyOutDir: true },
    });
    writeFileSync(join(out, HASH_FILE), `${hash}\n`);
    const old = join(dirname(dist), `.dist-old-${process.pid}`);
    rmSync(old, { recursive: true, force: true });
    try {
      renameSync(dist, old);
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
    renameSync(out, dist);
    rmSync(old, { recursive: true, force: true });
    return 'built';
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * Refuses an output folder the build would destroy: it replaces the folder whole, so one that holds
 * or is the sources (`--out web`), or a folder of other files, would be lost.
 */
function checkOut(dist) {
  const within = (inner, outer) => inner === outer || inner.startsWith(outer + sep);
  for (const input of ['.', ...INPUTS]) {
    const path = join(repo, input);
    if (within(path, dist) || (input !== '.' && within(dist, path) && !within(dist, DEFAULT_DIST)))
      throw new Error(`--out ${dist} would replace or sit among the sources (${input}); name a folder of its own`);
  }
  let names;
  try {
    names = readdirSync(dist);
  } catch {
    // Not there yet: the build makes it.
    return;
  }
  if (names.length > 0 && !names.includes(HASH_FILE))
    throw new Error(
      `--out ${dist} holds files of no earlier build, which it would replace; name a new or empty folder`,
    );
}

async function acquireLock() {
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    try {
      // A lock left by a build that was killed: take it over.
      if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
    } catch {
      // The holder removed it between the two calls: try again at once.
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const outAt = process.argv.indexOf('--out');
  const dist = outAt > 0 ? resolve(process.argv[outAt + 1] ?? '') : DEFAULT_DIST;
  try {
    if (outAt > 0 && !process.argv[outAt + 1]) throw new Error('--out needs a folder');
    if (outAt > 0) checkOut(dist);
    const result = await buildWeb({ force: process.argv.includes('--force'), dist });
    const inCwd = relative(process.cwd(), dist);
    const where = inCwd.startsWith('..') ? dist : inCwd || '.';
    console.log(
      result === 'fresh'
        ? `web client up to date (${where})`
        : `web client built in ${((Date.now() - started) / 1000).toFixed(1)} s (${where})`,
    );
  } catch (err) {
    console.error(`web client build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
