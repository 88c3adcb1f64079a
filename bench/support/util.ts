/** Small helpers shared by benchmarks: logging, timing, statistics, concurrency. */
import { readFileSync, readdirSync } from 'node:fs';

const started = performance.now();

/** Human-readable progress goes to stderr, so stdout stays machine-readable. */
export function log(msg: string): void {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every `everyMs` until it is true or `timeoutMs` passes; resolves with the last value. */
export async function waitUntil(cond: () => boolean, timeoutMs: number, everyMs = 5): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() >= deadline) return false;
    await sleep(everyMs);
  }
  return true;
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Percentile (nearest rank) of an unsorted sample; NaN when empty. */
export function percentile(samples: number[] | Float64Array, p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}

/** Resident set size of a process in KiB, from /proc/<pid>/status (VmRSS). */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

/** CPU time (user+system, in clock ticks converted to ms) used so far by a process, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11] = utime, fields[12] = stime (fields 14 and 15 of proc(5), counted from state = 3).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export function round(n: number | null, digits: number): number | null {
  if (n === null || !Number.isFinite(n)) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Busy CPU time of the whole machine so far in ms (all cores; from the first line of /proc/stat). */
export function systemBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: busy = all but idle and iowait.
  const busy = v.reduce((a, b) => a + b, 0) - (v[3] ?? 0) - (v[4] ?? 0);
  return (busy * 1000) / 100;
}

/** CPU time in ms used so far by all processes whose command name is `comm` (e.g. "postgres"). */
export function cpuMsByName(comm: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== comm) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      /* gone */
    }
  }
  return total;
}

/** The phases BENCH_PHASES names (comma-separated), or every one when it is unset; an unknown name is an error. */
export function selectedPhases<P extends string>(all: readonly P[]): Set<P> {
  const raw = process.env.BENCH_PHASES;
  if (!raw) return new Set(all);
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(all as readonly string[]).includes(name))
      throw new Error(`BENCH_PHASES: unknown phase "${name}" (known: ${all.join(', ')})`);
  }
  return new Set(names as P[]);
}
