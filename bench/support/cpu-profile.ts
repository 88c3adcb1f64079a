/**
 * CPU profiling of the host child for diagnosis (BENCH_HOST_CPU_PROF=DIR).
 *
 * `--cpu-prof` is not allowed in NODE_OPTIONS and spawnHost's argv is fixed, so the child gets
 * `NODE_OPTIONS=--require <preload>`: a tiny CommonJS script, written to DIR at run time, that
 * starts the V8 sampling profiler through node:inspector and writes DIR/host-PID.cpuprofile
 * when the child receives SIGTERM (or exits). summarizeProfile() prints the top frames.
 *
 * The preload also times every SQL statement the host runs through knex (it wraps the knex
 * client's _query; on SQLite the synchronous part, i.e. prepare + execute, on PostgreSQL the time
 * until the answer) and writes DIR/host-PID.sql.json; summarizeSql() prints the costliest shapes.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const PRELOAD = `'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.BENCH_CPU_PROFILE_DIR;
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
const sql = new Map();
function record(text, ms) {
  const key = String(text).replace(/\\?(\\s*,\\s*\\?)+/g, '?…').replace(/\\$\\d+(\\s*,\\s*\\$\\d+)+/g, '$…').replace(/\\s+/g, ' ').slice(0, 300);
  const e = sql.get(key) || { count: 0, ms: 0 };
  e.count++;
  e.ms += ms;
  sql.set(key, e);
}
function wrap(modulePath, sync) {
  let Client;
  try {
    Client = require(require.resolve(modulePath, { paths: [process.cwd()] }));
  } catch {
    return;
  }
  const original = Client.prototype._query;
  Client.prototype._query = function (connection, obj) {
    const t0 = process.hrtime.bigint();
    const done = () => record(obj && obj.sql, Number(process.hrtime.bigint() - t0) / 1e6);
    const result = original.call(this, connection, obj);
    if (sync) done();
    else Promise.resolve(result).then(done, done);
    return result;
  };
}
wrap('knex/lib/dialects/better-sqlite3/index.js', true);
wrap('knex/lib/dialects/postgres/index.js', false);
let written = false;
function write() {
  if (written) return;
  written = true;
  session.post('Profiler.stop', (err, res) => {
    if (!err && res) fs.writeFileSync(path.join(dir, 'host-' + process.pid + '.cpuprofile'), JSON.stringify(res.profile));
  });
  fs.writeFileSync(path.join(dir, 'host-' + process.pid + '.sql.json'), JSON.stringify([...sql]));
}
process.on('exit', write);
process.prependListener('SIGTERM', () => {
  write();
  // If the host has no SIGTERM handler of its own, this listener kept it alive: end it soon.
  setTimeout(() => process.exit(0), 3000);
});
`;

/** Writes the preload script into `dir` and returns the environment for the child. */
export function profilingEnv(dir: string): NodeJS.ProcessEnv {
  mkdirSync(dir, { recursive: true });
  const preload = join(dir, 'bench-cpu-profiler.cjs');
  writeFileSync(preload, PRELOAD);
  return { NODE_OPTIONS: `--require ${preload}`, BENCH_CPU_PROFILE_DIR: dir };
}

/** Now on the clock V8 profiles use (CLOCK_MONOTONIC, in microseconds), comparable across processes. */
export function profileClockUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Top frames of the profile of `pid` in `dir`, as printable lines; with `window` (profileClockUs()
 * values) only the samples taken inside it count.
 */
export function summarizeProfile(dir: string, pid: number, window?: { from: number; to: number }, top = 20): string[] {
  const file = readdirSync(dir).find((f) => f === `host-${pid}.cpuprofile`);
  if (!file) return [`no profile host-${pid}.cpuprofile in ${dir}`];
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  const hitCount = new Map<number, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (window && (t < window.from || t >= window.to)) continue;
    const id = profile.samples[i]!;
    hitCount.set(id, (hitCount.get(id) ?? 0) + 1);
  }
  const byFrame = new Map<string, number>();
  const byModule = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = hitCount.get(node.id) ?? 0;
    if (!hits) continue;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const short = url
      .replace(/^file:\/\//, '')
      .replace(/^.*\/(node_modules\/)/, '$1')
      .replace(/^.*\/(host|sdk|plugins)\//, '$1/');
    const key = `${functionName || '(anonymous)'}  ${short || '(native)'}${url ? `:${lineNumber + 1}` : ''}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + hits);
    const mod =
      /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(short)?.[1] ??
      (/^(host|sdk|plugins)\//.test(short)
        ? short.split('/').slice(0, 2).join('/')
        : short.startsWith('node:')
          ? 'node:internal'
          : short || (functionName.startsWith('(') ? functionName : `native ${functionName}`));
    byModule.set(mod, (byModule.get(mod) ?? 0) + hits);
  }
  // Inclusive time of the host's own functions (each sample counted once per function on its stack).
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const inclusive = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = hitCount.get(node.id) ?? 0;
    if (!hits) continue;
    const seen = new Set<string>();
    for (let cur: ProfileNode | undefined = node; cur; cur = byId.get(parent.get(cur.id) ?? -1)) {
      const m = /\/((?:host|sdk|plugins)\/.*)$/.exec(cur.callFrame.url);
      if (!m || m[1]!.includes('node_modules')) continue;
      const key = `${cur.callFrame.functionName || '(anonymous)'}  ${m[1]}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + hits);
    }
  }
  const pct = (n: number) => `${((n / total) * 100).toFixed(1).padStart(5)}%`;
  const span = window ? (window.to - window.from) / 1e6 : (profile.endTime - profile.startTime) / 1e6;
  const lines = [
    `profile ${join(dir, file)}: ${total} samples over ${span.toFixed(1)} s (idle included)`,
    'top self time by frame:',
  ];
  for (const [k, v] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push('inclusive time of host functions:');
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push('self time by module/file:');
  for (const [k, v] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(v)}  ${k}`);
  return lines;
}

/** The SQL shapes the host spent most time on (see the preload), as printable lines. */
export function summarizeSql(dir: string, pid: number, top = 12): string[] {
  let entries: [string, { count: number; ms: number }][];
  try {
    entries = JSON.parse(readFileSync(join(dir, `host-${pid}.sql.json`), 'utf8')) as [
      string,
      { count: number; ms: number },
    ][];
  } catch {
    // No timings file (the preload was off or the host died early): the summary says so instead.
    return [`no SQL timings host-${pid}.sql.json in ${dir}`];
  }
  const total = entries.reduce((a, [, e]) => a + e.ms, 0);
  const lines = [
    `SQL through knex: ${entries.reduce((a, [, e]) => a + e.count, 0)} statements, ${(total / 1000).toFixed(2)} s in total (whole run); costliest shapes:`,
  ];
  for (const [sql, e] of entries.sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
    lines.push(
      `  ${(e.ms / 1000).toFixed(2).padStart(7)} s  ${String(e.count).padStart(7)} ×  ${(e.ms / e.count).toFixed(3)} ms  ${sql.slice(0, 160)}`,
    );
  }
  return lines;
}
