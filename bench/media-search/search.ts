/**
 * search_p99_ms of `npm run bench -- media-search`: SEARCHERS concurrent clients (kept-alive
 * connections, the searcher's token) run queries of words.ts's queryMix through `GET /v1/search`
 * (a page of 20) over the corpus of seed.ts. One in five is scoped to one of the searcher's
 * conversations (`conversationId`), the rest search all of them. After WARMUP_PER_SEARCHER
 * untimed queries per client, `count` queries are offered at `rate` per second (support/open-loop.ts: each timed from
 * when it was due to its answer); every one must answer 200. search_p99_ms is their p99; the p99
 * of each kind of query is logged, and how many found nothing. Then the same queries in a closed
 * loop give searches_per_s, the capacity.
 */
import type { BenchHost, BenchUser } from '../support/bench-host.js';
import { cpuMeter } from '../support/cpu-meter.js';
import { leanHttp } from '../support/lean-http.js';
import { openLoop } from '../support/open-loop.js';
import { log, percentile } from '../support/util.js';
import { mulberry32 } from '../../test/support/seeded-random.js';
import { queryMix, type BenchQuery, type WordMix } from './words.js';

export const SEARCHERS = 20;
const PAGE = 20;
/**
 * Untimed searches first, each searcher asking as soon as it has its answer: every pooled
 * connection has planned the statements and the searcher's rows are in PostgreSQL's buffer cache.
 * With one each (before 2026-12-04) the first second of the window held the run's worst 1 %:
 * 110–320 ms for searches that take 5–15 ms warm, so the p99 measured the cold start.
 */
const WARMUP_PER_SEARCHER = 10;
const WARMUP = SEARCHERS * WARMUP_PER_SEARCHER;

export interface SearchFigures {
  p50: number;
  p99: number;
  /** Closed loop: as fast as the searchers get answers. */
  perS: number;
}

export async function searchPhase(
  host: BenchHost,
  searcher: BenchUser,
  conversations: string[],
  mix: WordMix,
  load: { count: number; rate: number },
): Promise<SearchFigures> {
  const queries = queryMix(mix, 7, WARMUP + load.count);
  const rnd = mulberry32(11);
  const paths = queries.map((query) => {
    const scope = rnd() < 0.2 ? `&conversationId=${conversations[Math.floor(rnd() * conversations.length)]}` : '';
    return `/v1/search?q=${encodeURIComponent(query.q)}&limit=${PAGE}${scope}`;
  });
  const http = leanHttp(host.url, SEARCHERS);
  let bad = 0;
  let empty = 0;
  const ask = async (i: number) => {
    const res = await http('GET', paths[i]!, searcher.token);
    if (res.status !== 200) {
      if (bad++ < 3) log(`search: ${paths[i]} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    } else if ((res.body as { results: unknown[] }).results.length === 0) empty++;
  };
  await Promise.all(
    Array.from({ length: SEARCHERS }, async (_, s) => {
      for (let k = 0; k < WARMUP_PER_SEARCHER; k++) await ask(s * WARMUP_PER_SEARCHER + k);
    }),
  );
  empty = 0;
  log(`search: ${SEARCHERS} searchers, ${load.count} queries offered at ${load.rate}/s`);
  const meter = cpuMeter(host.child.pid, 'search');
  const latencies = await openLoop(load.count, load.rate, (i) => ask(WARMUP + i));
  log(`search: during the measured window: ${meter()}`);
  const timed = queries.slice(WARMUP, WARMUP + load.count);
  logByKind(timed, latencies);
  const slowest = [...latencies.keys()].sort((a, b) => latencies[b]! - latencies[a]!).slice(0, 8);
  log(
    `search: slowest (position in the window, ms, query): ${slowest.map((i) => `${i} ${latencies[i]!.toFixed(0)} ${JSON.stringify(timed[i]!.q)}`).join('; ')}`,
  );
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  log(`search: ${empty} found nothing; p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);

  // The capacity: the same queries again, each searcher asking as soon as it has its answer.
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: SEARCHERS }, async () => {
      while (next < load.count) await ask(WARMUP + next++);
    }),
  );
  const perS = load.count / ((performance.now() - started) / 1000);
  log(`search: closed loop, ${SEARCHERS} searchers: ${perS.toFixed(0)} queries/s`);
  if (bad) throw new Error(`${bad} searches did not answer 200`);
  return { p50, p99, perS };
}

function logByKind(queries: BenchQuery[], latencies: Float64Array): void {
  const byKind = new Map<string, number[]>();
  queries.forEach((q, i) => {
    const list = byKind.get(q.kind) ?? [];
    list.push(latencies[i]!);
    byKind.set(q.kind, list);
  });
  for (const [kind, list] of byKind)
    log(
      `search: ${kind} (${list.length}): p50 ${percentile(list, 50).toFixed(1)} ms, p99 ${percentile(list, 99).toFixed(1)} ms`,
    );
}
