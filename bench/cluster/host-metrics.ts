/**
 * Diagnostics for `npm run bench -- cluster`: the hosts' own histograms (GET /metrics), read
 * before and after a phase, so the log shows where a message's time went on each host during
 * that phase (bus lag from the publishing host, send→ack, commit batch sizes, query time).
 */
import type { BenchHost } from '../support/bench-host.js';

const HISTOGRAMS = [
  'switchboard_bus_lag_seconds',
  'switchboard_send_ack_seconds',
  'switchboard_commit_batch_size',
  'switchboard_db_query_seconds',
] as const;

/** Cumulative bucket counts (by upper bound), sum and count of each histogram. */
type Snapshot = Map<string, { buckets: Map<number, number>; sum: number; count: number }>;

export async function readHistograms(host: BenchHost, token: string): Promise<Snapshot> {
  const res = await fetch(`${host.url}/metrics`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`GET /metrics → ${res.status}`);
  const snap: Snapshot = new Map(HISTOGRAMS.map((n) => [n, { buckets: new Map(), sum: 0, count: 0 }]));
  for (const line of (await res.text()).split('\n')) {
    const m = /^(\w+)_(bucket|sum|count)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    const h = m && snap.get(m[1]!);
    if (!m || !h) continue;
    const value = Number(m[4]);
    if (m[2] === 'bucket') {
      const raw = /le="([^"]+)"/.exec(m[3] ?? '')?.[1];
      const le = raw === '+Inf' ? Infinity : Number(raw);
      h.buckets.set(le, (h.buckets.get(le) ?? 0) + value);
    } else if (m[2] === 'sum') h.sum += value;
    else h.count += value;
  }
  return snap;
}

/** One printable line per histogram for what happened between two snapshots of one host. */
export function describeDelta(before: Snapshot, after: Snapshot): string[] {
  const lines: string[] = [];
  for (const name of HISTOGRAMS) {
    const a = before.get(name)!;
    const b = after.get(name)!;
    const count = b.count - a.count;
    if (count <= 0) continue;
    const seconds = name.endsWith('_seconds');
    const unit = (v: number) => (seconds ? `${(v * 1000).toFixed(2)} ms` : v.toFixed(1));
    const bound = (q: number) => {
      for (const le of [...b.buckets.keys()].sort((x, y) => x - y)) {
        if ((b.buckets.get(le) ?? 0) - (a.buckets.get(le) ?? 0) >= q * count)
          return le === Infinity ? '+Inf' : `≤ ${unit(le)}`;
      }
      return '?';
    };
    lines.push(
      `${name.replace('switchboard_', '')}: ${count} samples, mean ${unit((b.sum - a.sum) / count)}, p50 ${bound(0.5)}, p99 ${bound(0.99)}`,
    );
  }
  return lines;
}
