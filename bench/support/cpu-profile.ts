/**
 * CPU profiling of the host child for diagnosis (BENCH_HOST_CPU_PROF=DIR).
 *
 * `--cpu-prof` is not allowed in NODE_OPTIONS and spawnHost's argv is fixed, so the child gets
 * `NODE_OPTIONS=--require <preload>`: a tiny CommonJS script, written to DIR at run time, that
 * starts the V8 sampling profiler through node:inspector and writes DIR/host-PID.cpuprofile
 * when the child receives SIGTERM (or exits). summarizeProfile() prints the top frames.
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
let written = false;
function write() {
  if (written) return;
  written = true;
  session.post('Profiler.stop', (err, res) => {
    if (!err && res) fs.writeFileSync(path.join(dir, 'host-' + process.pid + '.cpuprofile'), JSON.stringify(res.profile));
  });
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

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Top self-time frames of the newest profile for `pid` in `dir`, as printable lines. */
export function summarizeProfile(dir: string, pid: number, top = 25): string[] {
  const file = readdirSync(dir).find((f) => f === `host-${pid}.cpuprofile`);
  if (!file) return [`no profile host-${pid}.cpuprofile in ${dir}`];
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[]; startTime: number; endTime: number };
  const byFrame = new Map<string, number>();
  const byModule = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (!hits) continue;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const short = url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules\/)/, '$1').replace(/^.*\/(host|sdk|plugins)\//, '$1/');
    const key = `${functionName || '(anonymous)'}  ${short || '(native)'}${url ? `:${lineNumber + 1}` : ''}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + hits);
    const mod = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(short)?.[1] ?? (/^(host|sdk|plugins)\//.test(short) ? short.split('/').slice(0, 2).join('/') : short.startsWith('node:') ? 'node:internal' : short || (functionName.startsWith('(') ? functionName : `native ${functionName}`));
    byModule.set(mod, (byModule.get(mod) ?? 0) + hits);
  }
  // Inclusive time of the host's own functions (each sample counted once per function on its stack).
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const inclusive = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
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
  const lines = [`profile ${join(dir, file)}: ${total} samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s`, 'top self time by frame:'];
  for (const [k, v] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push('inclusive time of host functions:');
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push('self time by module/file:');
  for (const [k, v] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(v)}  ${k}`);
  return lines;
}
