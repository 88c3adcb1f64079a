/**
 * Disk benchmark: `npm run bench -- disk [DIR]` — how long a durable commit's flush takes on the
 * disk under DIR (default: the system temp directory; PostgreSQL's data directory is the one that
 * matters for it, e.g. /var/lib/postgresql).
 *
 * Every acknowledged message waits for one flush (SQLite's WAL, or PostgreSQL's through its
 * commit), shared by its batch. So no send→ack percentile can be below the flush's at the same
 * percentile, and a flush that stalls holds every commit behind it: this benchmark measures that
 * floor. One 8 KiB write and fdatasync() at a time, as a commit's log write is, paced at most
 * one per millisecond, for BENCH_DISK_SECONDS (default 20). The last line is one JSON object:
 * fsync_p50_ms, fsync_p99_ms, fsync_p999_ms, fsync_max_ms, and stalls_per_min (flushes over
 * 20 ms, each of which delays every commit waiting then).
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log, percentile, round, sleep } from './support/util.js';

const STALL_MS = 20;

export default async function disk(args: string[]): Promise<void> {
  const seconds = Number(process.env.BENCH_DISK_SECONDS ?? 20);
  const dir = mkdtempSync(join(args[0] ?? tmpdir(), 'switchboard-disk-'));
  const file = join(dir, 'probe');
  const fd = openSync(file, 'w');
  const page = Buffer.alloc(8192, 1);
  const samples: number[] = [];
  const stalls: string[] = [];
  const start = performance.now();
  try {
    for (let i = 0; performance.now() - start < seconds * 1000; i++) {
      writeSync(fd, page, 0, page.length, (i % 256) * page.length);
      const t = performance.now();
      fdatasyncSync(fd);
      const ms = performance.now() - t;
      samples.push(ms);
      if (ms > STALL_MS) stalls.push(`${((t - start) / 1000).toFixed(2)} s: ${ms.toFixed(1)} ms`);
      await sleep(1);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  const minutes = (performance.now() - start) / 60_000;
  log(
    `disk: ${samples.length} flushes in ${seconds} s under ${dir}; over ${STALL_MS} ms: ${stalls.join(', ') || 'none'}`,
  );
  const result = {
    bench: 'disk',
    flushes: samples.length,
    fsync_p50_ms: round(percentile(samples, 50), 3),
    fsync_p99_ms: round(percentile(samples, 99), 3),
    fsync_p999_ms: round(percentile(samples, 99.9), 3),
    fsync_max_ms: round(percentile(samples, 100), 1),
    stalls_per_min: round(stalls.length / minutes, 1),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
