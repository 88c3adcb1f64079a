#!/usr/bin/env node
// Makes the native modules load on the Node that runs the project (npm scripts put the `node`
// package's Node 24 first on PATH, whatever Node is installed). npm compiles better-sqlite3 while
// it installs, against whatever headers its config names (on these machines: the system Node
// 20's). This checks each native module under this Node and rebuilds the ones that do not load,
// against this Node's own headers, which the `node` package ships.
//
// Runs as `postinstall`, and as `npm run rebuild-native` (the fix the host names when a native
// module was built for another Node).
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const MODULES = [
  { name: 'better-sqlite3', probe: "require('better-sqlite3')(':memory:').close()" },
  { name: 'isolated-vm', probe: "new (require('isolated-vm').Isolate)().dispose()" },
];

/** The directory holding this Node's headers (include/node/node.h), or null. */
function headersDir() {
  const candidates = [];
  try {
    // The `node` package holds its platform package, nested or hoisted beside it.
    const pkg = path.dirname(require.resolve('node/package.json'));
    const platform = `node-${process.platform}-${process.arch}/package.json`;
    candidates.push(path.dirname(createRequire(path.join(pkg, 'package.json')).resolve(platform)));
  } catch {
    /* the project's own Node is not installed */
  }
  candidates.push(path.resolve(path.dirname(realpathSync(process.execPath)), '..'));
  return candidates.find((dir) => existsSync(path.join(dir, 'include', 'node', 'node.h'))) ?? null;
}

function loads(probe) {
  const r = spawnSync(process.execPath, ['--no-node-snapshot', '-e', probe], { cwd: root, encoding: 'utf8' });
  return { ok: r.status === 0, error: (r.stderr || '').split('\n').find((l) => /Error|error/.test(l)) ?? '' };
}

function rebuild(name, nodedir) {
  const npm = process.env.npm_execpath;
  const [cmd, args] = npm && npm.endsWith('.js') ? [process.execPath, [npm]] : ['npm', []];
  const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
  // Build for this Node, not for whichever Node npm's own scripts would find first on PATH.
  env.npm_config_target = process.versions.node;
  if (nodedir) env.npm_config_nodedir = nodedir;
  const r = spawnSync(cmd, [...args, 'rebuild', name, '--foreground-scripts'], { cwd: root, env, stdio: 'inherit' });
  return r.status === 0;
}

const major = Number(process.versions.node.split('.')[0]);
console.log(`switchboard: native modules for Node ${process.version} (V8 ${process.versions.v8})`);
if (major < 24) {
  console.warn(
    `switchboard: this is Node ${process.version}; the project runs on the Node 24 it installs (node_modules/.bin/node). Run it through npm (npm start, npm test).`,
  );
}
let failed = false;
for (const { name, probe } of MODULES) {
  if (loads(probe).ok) continue;
  const nodedir = headersDir();
  console.log(
    `switchboard: ${name} was built for another Node; rebuilding it for ${process.version}${nodedir ? ` with the headers in ${path.relative(root, nodedir) || nodedir}` : ''}`,
  );
  const after = rebuild(name, nodedir) ? loads(probe) : { ok: false, error: 'npm rebuild failed' };
  if (!after.ok) {
    console.error(`switchboard: ${name} still does not load on ${process.version}: ${after.error}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
